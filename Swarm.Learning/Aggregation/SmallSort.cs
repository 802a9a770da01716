namespace Swarm.Learning.Aggregation;

/// <summary>Insertion sort for the handful of values a coordinate has (one per site): stable, allocation-free
/// and the same on every runtime.</summary>
internal static class SmallSort
{
    public static void Ascending(Span<float> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            var v = values[i];
            var j = i - 1;
            while (j >= 0 && values[j] > v)
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = v;
        }
    }
}

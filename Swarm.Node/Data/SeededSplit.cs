namespace Swarm.Node.Data;

/// <summary>A stratified split by seed: within each class the images are shuffled (Fisher–Yates with
/// <see cref="Random"/> seeded by the entry's seed, whose sequence .NET keeps stable for a given seed), the first
/// round(n × validation-fraction) go to validation, the next round(n × test-fraction) to test and the rest to
/// training. The same CSV, classes and seed always give the same split.</summary>
public static class SeededSplit
{
    /// <summary>For each image: 0 train, 1 validation, 2 test.</summary>
    public static int[] Assign(long[] labels, int classes, double validationFraction, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var result = new int[labels.Length];
        var random = new Random(seed);
        for (var c = 0; c < classes; c++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            for (var i = members.Length - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
            var validation = (int)Math.Round(members.Length * validationFraction, MidpointRounding.AwayFromZero);
            var test = (int)Math.Round(members.Length * testFraction, MidpointRounding.AwayFromZero);
            for (var k = 0; k < members.Length; k++)
            {
                result[members[k]] = k < validation ? 1 : k < validation + test ? 2 : 0;
            }
        }
        return result;
    }
}

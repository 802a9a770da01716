namespace Swarm.Actors.Membership;

/// <summary>A bounded window of heartbeat inter-arrival times (milliseconds) with running sums, so the mean and the
/// standard deviation cost O(1) per heartbeat.</summary>
internal sealed class HeartbeatHistory
{
    private readonly Queue<double> _intervals = new();
    private readonly int _samplesMax;
    private double _sum;
    private double _sumOfSquares;

    public HeartbeatHistory(int samplesMax) => _samplesMax = samplesMax;

    public int Count => _intervals.Count;

    public double Mean => _sum / _intervals.Count;

    public double StdDeviation => Math.Sqrt(Math.Max(0, (_sumOfSquares / _intervals.Count) - (Mean * Mean)));

    public void Add(double intervalMs)
    {
        if (_intervals.Count == _samplesMax)
        {
            var dropped = _intervals.Dequeue();
            _sum -= dropped;
            _sumOfSquares -= dropped * dropped;
        }
        _intervals.Enqueue(intervalMs);
        _sum += intervalMs;
        _sumOfSquares += intervalMs * intervalMs;
    }
}

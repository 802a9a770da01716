namespace Swarm.Actors.Tasks;

/// <summary>How an actor steps its pure state machine: an input that arrives while the machine is being stepped (an
/// output carried out may lead to one) waits in a queue and is stepped after the current one, in order, never
/// re-entrantly. Used by the task peers over <c>TaskSite</c> and <c>DataVectorSite</c>.</summary>
/// <param name="step">The machine's step function.</param>
/// <param name="carryOut">What the actor does with each output.</param>
internal sealed class StepLoop<TInput, TOutput>(Func<TInput, IEnumerable<TOutput>> step, Action<TOutput> carryOut)
{
    private readonly Queue<TInput> _inputs = new();
    private bool _stepping;

    /// <summary>Steps the machine with <paramref name="input"/> and with every input its outputs lead to, in order.</summary>
    public void Step(TInput input)
    {
        _inputs.Enqueue(input);
        if (_stepping)
        {
            return;
        }
        _stepping = true;
        try
        {
            while (_inputs.TryDequeue(out var next))
            {
                foreach (var output in step(next))
                {
                    carryOut(output);
                }
            }
        }
        finally
        {
            _stepping = false;
        }
    }
}

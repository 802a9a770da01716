using Swarm.Actors.Training;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>What a node's task engine gets when every participant has consented: the spec, its canonical bytes
/// (<see cref="TaskSpecCodec"/>; the genesis binds their digest) and this node's own data for the task.</summary>
public sealed record TaskLaunch(TaskSpec Spec, byte[] SpecBytes, SiteData Data)
{
    /// <summary>Every participant's sample declaration as the start carried them; empty for a task started before
    /// declarations existed (its chain then keeps the first-update rule).</summary>
    public IReadOnlyList<SampleDeclaration> Declarations { get; init; } = [];
}

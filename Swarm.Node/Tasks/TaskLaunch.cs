using Swarm.Actors.Training;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>What a node's task engine gets when every participant has consented: the spec, its canonical bytes
/// (<see cref="TaskSpecCodec"/>; the genesis binds their digest) and this node's own data for the task.</summary>
public sealed record TaskLaunch(TaskSpec Spec, byte[] SpecBytes, SiteData Data);

using Swarm.Actors.Training;
using Swarm.Tasks;

namespace Swarm.Actors.Tasks;

/// <summary>A PBFT message of the task's chain (MessageCodec bytes) from <paramref name="Site"/>'s replica.</summary>
public sealed record PbftPacket(string Site, byte[] Message);

/// <summary><paramref name="Site"/> holds its update for <paramref name="Round"/> under <paramref name="Hash"/>: the
/// receiver fetches the bytes from that site by blob transfer and keeps them only if they hash to
/// <paramref name="Hash"/>, so a lying sender cannot make anyone aggregate other bytes than the chain names.</summary>
public sealed record UpdateAnnounced(string Site, int Round, string Hash);

/// <summary>Published on the node's event stream when a site's local training for a round is done:
/// <paramref name="Elapsed"/> from the instruction to the encoded update, <paramref name="TrainingTime"/> the local
/// epochs alone.</summary>
public sealed record SiteRoundTrained(string TaskId, string Site, int Round, double MeanLoss, TimeSpan Elapsed, TimeSpan TrainingTime);

/// <summary>Published on the node's event stream when a site adopts a finalized round's global model.</summary>
public sealed record SiteRoundFinalized(string TaskId, string Site, FinalizedRound Round, float[] Parameters);

/// <summary>Published on the node's event stream when a site's part of a task ends; <paramref name="Personalized"/>
/// holds the site's global and fine-tuned scores when the task completed and personalization ran.</summary>
public sealed record SiteTaskEnded(string TaskId, string Site, TaskState State, string? Detail, PersonalizeRes? Personalized);

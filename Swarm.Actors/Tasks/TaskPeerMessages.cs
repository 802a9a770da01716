using Swarm.Actors.Training;
using Swarm.Tasks;

namespace Swarm.Actors.Tasks;

/// <summary>A PBFT message of the task's chain (MessageCodec bytes) from <paramref name="Site"/>'s replica.</summary>
public sealed record PbftPacket(string Site, byte[] Message);

/// <summary><paramref name="Site"/> publishes its update bytes for <paramref name="Round"/>; receivers key them by
/// their SHA-256, so a lying sender cannot make anyone aggregate other bytes than the chain names.</summary>
public sealed record UpdateOffer(string Site, int Round, byte[] Bytes);

/// <summary><paramref name="Site"/> asks for a blob it is missing (an update of a closed round, or the global model
/// of a finalized round after a restart); the answer goes to that site's peer.</summary>
public sealed record BlobWanted(string Site, BlobKind Kind, string Hash);

public sealed record BlobFound(string Site, BlobKind Kind, string Hash, byte[] Bytes);

/// <summary>Published on the node's event stream when a site's local training for a round is done:
/// <paramref name="Elapsed"/> from the instruction to the encoded update, <paramref name="TrainingTime"/> the local
/// epochs alone.</summary>
public sealed record SiteRoundTrained(string TaskId, string Site, int Round, double MeanLoss, TimeSpan Elapsed, TimeSpan TrainingTime);

/// <summary>Published on the node's event stream when a site adopts a finalized round's global model.</summary>
public sealed record SiteRoundFinalized(string TaskId, string Site, FinalizedRound Round, float[] Parameters);

/// <summary>Published on the node's event stream when a site's part of a task ends; <paramref name="Personalized"/>
/// holds the site's global and fine-tuned scores when the task completed and personalization ran.</summary>
public sealed record SiteTaskEnded(string TaskId, string Site, TaskState State, string? Detail, PersonalizeRes? Personalized);

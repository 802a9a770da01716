using Swarm.Consensus.Blocks;

namespace Swarm.Consensus.Pbft;

/// <summary>The log entry for one sequence number in the current view (§4.2): the accepted pre-prepare and the
/// prepares and commits received for it, keyed by sender so that duplicates count once.</summary>
internal sealed class Slot
{
    public SignedMessage? PrePrepare { get; set; }
    public Block? Block { get; set; }
    public Dictionary<int, SignedMessage> Prepares { get; } = [];
    public Dictionary<int, SignedMessage> Commits { get; } = [];
    public bool SentPrepare { get; set; }
    public bool Prepared { get; set; }
    public bool SentCommit { get; set; }
    public bool CommittedLocal { get; set; }
    public bool LinkRejected { get; set; }
}

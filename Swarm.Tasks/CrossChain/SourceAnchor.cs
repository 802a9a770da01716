using Swarm.Consensus.Encoding;

namespace Swarm.Tasks.CrossChain;

/// <summary>The source chain an importer means: its id and the hash of its genesis. The importing task names it
/// (its researchers chose the source), so a proof built on any other genesis is refused whatever it contains.</summary>
public sealed record SourceAnchor(string ChainId, Digest GenesisHash)
{
    public override string ToString() => $"{ChainId} (genesis {GenesisHash})";
}

namespace Swarm.Actors.Consensus;

/// <summary>Signs canonical bytes with this node's private key.</summary>
public interface ISigner
{
    byte[] PublicKey { get; }

    byte[] Sign(ReadOnlySpan<byte> message);
}

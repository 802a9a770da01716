using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>A block of the task's chain. Its hash is SHA-256 of its canonical encoding (<see cref="BlockCodec"/>);
/// the payload root is SHA-256 over the ordered request hashes, so a header and the request list can be checked
/// against each other. <see cref="View"/> and <see cref="Proposer"/> are those of the original proposal and stay
/// unchanged when a later primary re-proposes the block after a view change, so that every honest replica hashes
/// the same block at a height whatever view it committed in.</summary>
public sealed class Block
{
    public Block(long height, Digest previousHash, int proposer, long view, long timestampMs, IReadOnlyList<ClientRequest> requests)
        : this(height, previousHash, ComputePayloadRoot(requests), proposer, view, timestampMs, requests)
    {
    }

    private Block(long height, Digest previousHash, Digest payloadRoot, int proposer, long view, long timestampMs,
        IReadOnlyList<ClientRequest> requests)
    {
        Height = height;
        PreviousHash = previousHash;
        PayloadRoot = payloadRoot;
        Proposer = proposer;
        View = view;
        TimestampMs = timestampMs;
        Requests = requests;
        Encoded = BlockCodec.Encode(this);
        Hash = Digest.Of(Encoded);
    }

    public long Height { get; }
    public Digest PreviousHash { get; }
    public Digest PayloadRoot { get; }
    public int Proposer { get; }
    public long View { get; }
    public long TimestampMs { get; }
    public IReadOnlyList<ClientRequest> Requests { get; }

    /// <summary>The canonical encoding; the block hash is SHA-256 of exactly these bytes.</summary>
    public byte[] Encoded { get; }

    public Digest Hash { get; }

    public bool IsNull => Requests.Count == 0;

    /// <summary>Rebuilds a decoded block; a payload root that does not match the requests is a decoding error.</summary>
    internal static Block FromDecoded(long height, Digest previousHash, Digest payloadRoot, int proposer, long view,
        long timestampMs, IReadOnlyList<ClientRequest> requests)
    {
        if (ComputePayloadRoot(requests) != payloadRoot)
        {
            throw new CanonicalFormatException($"block {height}: payload root does not match its requests");
        }
        return new Block(height, previousHash, payloadRoot, proposer, view, timestampMs, requests);
    }

    /// <summary>SHA-256 of the concatenated request hashes in block order (a flat root: blocks are small).</summary>
    public static Digest ComputePayloadRoot(IReadOnlyList<ClientRequest> requests)
    {
        var buffer = new byte[requests.Count * Digest.Size];
        for (var i = 0; i < requests.Count; i++)
        {
            requests[i].ComputeHash().WriteTo(buffer.AsSpan(i * Digest.Size));
        }
        return Digest.Of(buffer);
    }

    public override string ToString() => $"block {Height} {Hash} ({Requests.Count} requests, view {View})";
}

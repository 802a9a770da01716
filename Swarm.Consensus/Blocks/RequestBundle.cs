using System.Collections.Concurrent;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>Requests a client signs together: one signature over the root of a Merkle tree whose leaves are the
/// requests' <see cref="ClientRequest.SigningBytes"/>, so a client that submits many requests pays one signature
/// and every replica one verification per bundle instead of per request. Each request then carries, in its
/// signature field, a <em>bundle proof</em>: a tag, the bundle's size, the request's leaf index, the sibling hashes
/// on its path to the root, and the client's signature over (chain, client, size, root). A replica recomputes the
/// root from the request it holds, so a proof binds exactly that request (chain, client, id and payload): moving a
/// proof to another id or payload, another chain or another client gives another root, whose signature the client
/// never made. Leaves and inner nodes are hashed under different prefixes (0 and 1), so no inner node can pass as a
/// leaf (the second-preimage attack on plain Merkle trees; RFC 6962 §2.1 uses the same separation). A bundle's
/// last node at a level with an odd count moves up unchanged, so the path of every index follows from (size,
/// index) alone.</summary>
public static class RequestBundle
{
    /// <summary>Most requests in one bundle: 2^12, which keeps a proof (12 siblings and a 64-byte signature)
    /// within a request's signature field (<see cref="CommitCertificate.SignatureBytesMax"/>).</summary>
    public const int RequestsMax = 1 << DepthMax;

    private const int DepthMax = 12;
    private const int SignatureBytesMax = 96;
    private const string RootDomain = "swarm.request-bundle.v1";
    private static ReadOnlySpan<byte> Tag => [0xB7, (byte)'S', (byte)'R', (byte)'B'];

    /// <summary>The requests of one client with bundle proofs in place of their signatures: one call of
    /// <paramref name="sign"/> (the client's private key) for the whole bundle.</summary>
    /// <param name="chainId">The chain the requests are for (part of every leaf and of the root's signature).</param>
    /// <param name="requests">One client's requests, 1 to <see cref="RequestsMax"/>.</param>
    /// <param name="sign">The client's signature over the bytes it is given.</param>
    public static IReadOnlyList<ClientRequest> Sign(string chainId, IReadOnlyList<ClientRequest> requests, Func<byte[], byte[]> sign)
    {
        if (requests.Count is < 1 or > RequestsMax)
        {
            throw new ArgumentOutOfRangeException(nameof(requests), $"a bundle holds 1..{RequestsMax} requests, got {requests.Count}");
        }
        var client = requests[0].ClientId;
        if (requests.Any(r => r.ClientId != client))
        {
            throw new ArgumentException("a bundle holds the requests of one client", nameof(requests));
        }
        var levels = new List<Digest[]> { requests.Select(r => Leaf(chainId, r)).ToArray() };
        while (levels[^1].Length > 1)
        {
            var below = levels[^1];
            var level = new Digest[(below.Length + 1) / 2];
            for (var i = 0; i < level.Length; i++)
            {
                level[i] = 2 * i + 1 < below.Length ? Node(below[2 * i], below[2 * i + 1]) : below[2 * i];
            }
            levels.Add(level);
        }
        var signature = sign(RootSigningBytes(chainId, client, requests.Count, levels[^1][0]));
        if (signature.Length > SignatureBytesMax)
        {
            throw new ArgumentException($"a bundle signature has at most {SignatureBytesMax} bytes, got {signature.Length}", nameof(sign));
        }
        var bundled = new ClientRequest[requests.Count];
        for (var index = 0; index < bundled.Length; index++)
        {
            var writer = new CanonicalWriter(64 + 32 * DepthMax + signature.Length).WriteRaw(Tag).WriteInt32(requests.Count).WriteInt32(index);
            var path = new List<Digest>();
            for (int level = 0, at = index; level < levels.Count - 1; level++, at >>= 1)
            {
                if ((at ^ 1) < levels[level].Length)
                {
                    path.Add(levels[level][at ^ 1]);
                }
            }
            writer.WriteInt32(path.Count);
            foreach (var sibling in path)
            {
                writer.WriteDigest(sibling);
            }
            var proof = writer.WriteBytes(signature).ToArray();
            if (!IsProof(proof))
            {
                // Only a one-request bundle under a signature scheme of under 45 bytes gets here: its proof could
                // not be told from a plain signature, so such a request is signed alone.
                throw new ArgumentException($"a bundle proof of {proof.Length} bytes would read as a plain signature: sign this request alone",
                    nameof(requests));
            }
            bundled[index] = requests[index] with { Signature = proof };
        }
        return bundled;
    }

    /// <summary>Whether a request's signature field holds a bundle proof rather than a plain signature: longer
    /// than an Ed25519 signature (64 bytes) and starting with the bundle tag.</summary>
    public static bool IsProof(ReadOnlySpan<byte> signature) => signature.Length > 64 && signature[..Tag.Length].SequenceEqual(Tag);

    /// <summary>What a request's bundle proof asks a replica to check: the client's <paramref name="signature"/>
    /// over <paramref name="signedBytes"/> (chain, client, bundle size and the root recomputed from this very
    /// request). Null with <paramref name="problem"/> when the proof is malformed (wrong size, index or path).</summary>
    /// <param name="chainId">The chain the replica serves.</param>
    /// <param name="request">A request whose signature field <see cref="IsProof"/>.</param>
    /// <param name="signedBytes">The bytes the client must have signed for the proof to hold.</param>
    /// <param name="signature">The client's signature over the bundle's root.</param>
    /// <param name="problem">Why the proof is malformed.</param>
    public static bool TryOpen(string chainId, ClientRequest request, out byte[] signedBytes, out byte[] signature, out string? problem)
    {
        signedBytes = [];
        if (!TryOpen(chainId, request, nodes: null, out var size, out var root, out signature, out problem))
        {
            return false;
        }
        signedBytes = RootSigningBytes(chainId, request.ClientId, size, root);
        return true;
    }

    /// <summary>The same, giving the bundle's <paramref name="size"/> and the <paramref name="root"/> recomputed from
    /// the request (what the client must have signed is <see cref="RootSigningBytes"/> of them). Inner nodes come
    /// from <paramref name="nodes"/> when given: the requests of one bundle share every node above the point where
    /// their paths meet, so a verifier that opens many of them hashes each shared node once.</summary>
    /// <param name="chainId">The chain the replica serves.</param>
    /// <param name="request">A request whose signature field <see cref="IsProof"/>.</param>
    /// <param name="nodes">Inner nodes computed before, or null to hash every node of the path.</param>
    /// <param name="size">The bundle's size from the proof.</param>
    /// <param name="root">The root recomputed from the request and the proof's path.</param>
    /// <param name="signature">The client's signature over the bundle's root.</param>
    /// <param name="problem">Why the proof is malformed.</param>
    public static bool TryOpen(string chainId, ClientRequest request, InnerNodes? nodes, out int size, out Digest root, out byte[] signature,
        out string? problem)
    {
        size = 0;
        root = default;
        signature = [];
        try
        {
            var reader = new CanonicalReader(request.SignatureBytes.AsSpan(Tag.Length));
            size = reader.ReadInt32();
            var index = reader.ReadInt32();
            var pathCount = reader.ReadCount(DepthMax, "bundle path");
            if (size is < 1 or > RequestsMax || index < 0 || index >= size)
            {
                problem = $"bundle index {index} of size {size} is outside the bundle (sizes 1..{RequestsMax})";
                return false;
            }
            var hash = Leaf(chainId, request);
            var used = 0;
            for (int at = index, width = size; width > 1; at >>= 1, width = (width + 1) / 2)
            {
                if ((at ^ 1) >= width)
                {
                    continue;
                }
                if (used == pathCount)
                {
                    problem = $"bundle path has {pathCount} siblings, index {index} of {size} needs more";
                    return false;
                }
                var sibling = reader.ReadDigest();
                used++;
                var (left, right) = (at & 1) == 0 ? (hash, sibling) : (sibling, hash);
                hash = nodes is null ? Node(left, right) : nodes.Of(left, right);
            }
            if (used != pathCount)
            {
                problem = $"bundle path has {pathCount} siblings, index {index} of {size} needs {used}";
                return false;
            }
            signature = reader.ReadBytes(SignatureBytesMax);
            reader.ExpectEnd();
            root = hash;
            problem = null;
            return true;
        }
        catch (CanonicalFormatException e)
        {
            problem = "bundle proof is malformed: " + e.Message;
            return false;
        }
    }

    /// <summary>What the client signs for a bundle: the domain, the chain, the client, the bundle's size and its root.</summary>
    /// <param name="chainId">The chain the bundle is for.</param>
    /// <param name="clientId">The client whose requests the bundle holds.</param>
    /// <param name="size">Requests in the bundle.</param>
    /// <param name="root">The root of the bundle's tree.</param>
    public static byte[] RootSigningBytes(string chainId, string clientId, int size, Digest root) =>
        new CanonicalWriter(96 + chainId.Length + clientId.Length)
            .WriteString(RootDomain).WriteString(chainId).WriteString(clientId).WriteInt32(size).WriteDigest(root).ToArray();

    private static Digest Leaf(string chainId, ClientRequest request)
    {
        var bytes = request.SigningBytes(chainId);
        var prefixed = new byte[bytes.Length + 1];
        bytes.CopyTo(prefixed, 1);
        return Digest.Of(prefixed);
    }

    private static Digest Node(Digest left, Digest right)
    {
        Span<byte> bytes = stackalloc byte[1 + 2 * Digest.Size];
        bytes[0] = 1;
        left.WriteTo(bytes[1..]);
        right.WriteTo(bytes[(1 + Digest.Size)..]);
        return Digest.Of(bytes);
    }

    /// <summary>Inner nodes of bundle trees already hashed, keyed by their two children. A node is a pure function
    /// of its children, so a remembered node is exactly what hashing would give: the memory changes the cost of a
    /// check, never its verdict. Bounded: dropped whole when full. Safe to use from several threads at once.</summary>
    /// <param name="max">Nodes remembered at most.</param>
    public sealed class InnerNodes(int max = 1 << 16)
    {
        private readonly ConcurrentDictionary<(Digest Left, Digest Right), Digest> _nodes = new();
        private int _count;

        /// <summary>The inner node over <paramref name="left"/> and <paramref name="right"/>.</summary>
        /// <param name="left">The left child.</param>
        /// <param name="right">The right child.</param>
        public Digest Of(Digest left, Digest right)
        {
            if (_nodes.TryGetValue((left, right), out var node))
            {
                return node;
            }
            node = Node(left, right);
            if (Interlocked.Increment(ref _count) > max)
            {
                _nodes.Clear();
                Interlocked.Exchange(ref _count, 1);
            }
            _nodes.TryAdd((left, right), node);
            return node;
        }
    }
}

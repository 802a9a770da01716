using System.Collections.Concurrent;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Pbft;

/// <summary>The edge check every peer message passes before it reaches a replica (STYLE.md #7): the sender is a
/// known member and its signature verifies, and so does every signature nested inside (checkpoint and prepared
/// proofs in a view change, the view changes in a new view, the certificates in a block reply). The signature
/// scheme is an interface, so this stays pure; the core then re-checks structure (quorums, matching digests).
/// Requests in a relayed batch or a pre-prepare must be signed by their client (<see cref="ClientKeys"/>); a request
/// whose signature verified once is remembered by its hash (which covers the signature), so the pre-prepare of a
/// request already relayed here costs no second verification. A client may sign many requests at once
/// (<see cref="RequestBundle"/>): the bundle's signature is verified once and each request by its Merkle path. Safe to call from several threads at once.</summary>
public sealed class EnvelopeVerifier(string chainId, ISignatureVerifier signatures, ClientKeys clients)
{
    /// <summary>Requests remembered as verified; the memory is dropped whole when full (it only saves work).</summary>
    public const int VerifiedRequestsMax = 1 << 16;

    private readonly CertificateVerifier _certificates = new(chainId, signatures);
    private readonly ConcurrentDictionary<Digest, byte> _verifiedRequests = new();
    private readonly ConcurrentDictionary<(Digest Root, int Size), byte[]> _verifiedRoots = new();
    private readonly RequestBundle.InnerNodes _innerNodes = new();
    private int _remembered;
    private int _rootsRemembered;

    /// <summary>Why a client request is not authentic, or null: a membership change needs every approval to be a
    /// known member's valid signature (the core counts the quorum); any other request needs its client's valid
    /// signature over <see cref="ClientRequest.SigningBytes"/>.</summary>
    public string? CheckRequest(Configuration members, ClientRequest request)
    {
        if (request.ClientId == MembershipChange.ClientId)
        {
            return CheckApprovals(members, request);
        }
        if (clients.Find(request.ClientId) is not { } key)
        {
            return $"request {request.RequestId} of client '{request.ClientId}': not a client of chain {chainId} (no known key)";
        }
        var hash = request.ComputeHash();
        if (_verifiedRequests.ContainsKey(hash))
        {
            return null;
        }
        if (RequestBundle.IsProof(request.SignatureBytes))
        {
            if (CheckBundle(key, request) is { } problem)
            {
                return problem;
            }
        }
        else if (!signatures.Verify(key, request.SigningBytes(chainId), request.SignatureBytes))
        {
            return $"request {request.RequestId} of client '{request.ClientId}': its client signature does not verify";
        }
        Remember(hash);
        return null;
    }

    /// <summary>A request signed as part of a bundle (<see cref="RequestBundle"/>): the root recomputed from this
    /// request must carry the client's signature. A root whose signature verified is remembered with its size and
    /// that signature, so the other requests of its bundle cost only their leaf and the inner nodes not hashed
    /// before (<see cref="RequestBundle.InnerNodes"/>). Both memories only save work: a request passes exactly when
    /// it would pass checked alone.</summary>
    private string? CheckBundle(byte[] key, ClientRequest request)
    {
        if (!RequestBundle.TryOpen(chainId, request, _innerNodes, out var size, out var root, out var signature, out var malformed))
        {
            return $"request {request.RequestId} of client '{request.ClientId}': {malformed}";
        }
        // The root covers every leaf, and each leaf names its chain and client, so a root verified once under this
        // chain's key of the client can only come back with the same requests; the size and the signature are
        // compared because the client signed them with the root.
        if (_verifiedRoots.TryGetValue((root, size), out var verified) && verified.AsSpan().SequenceEqual(signature))
        {
            return null;
        }
        if (!signatures.Verify(key, RequestBundle.RootSigningBytes(chainId, request.ClientId, size, root), signature))
        {
            return $"request {request.RequestId} of client '{request.ClientId}': its bundle signature does not verify for this request";
        }
        if (Interlocked.Increment(ref _rootsRemembered) > VerifiedRequestsMax / 16)
        {
            _verifiedRoots.Clear();
            Interlocked.Exchange(ref _rootsRemembered, 1);
        }
        _verifiedRoots[(root, size)] = signature;
        return null;
    }

    private void Remember(Digest verified)
    {
        // Counted apart: ConcurrentDictionary.Count takes every lock of the table (up to 1,024 once it has grown),
        // which made this check cost tens of microseconds per request. Races only clear the memory early or late.
        if (Interlocked.Increment(ref _remembered) > VerifiedRequestsMax)
        {
            _verifiedRequests.Clear();
            Interlocked.Exchange(ref _remembered, 1);
        }
        _verifiedRequests.TryAdd(verified, 0);
    }

    public Verdict Verify(Configuration members, SignedMessage signed, out VerifiedMessage? verified)
    {
        verified = null;
        var verdict = CheckSigned(members, signed);
        if (!verdict.Ok)
        {
            return verdict;
        }
        verdict = CheckNested(members, signed.Message);
        if (verdict.Ok)
        {
            verified = new VerifiedMessage(signed);
        }
        return verdict;
    }

    private Verdict CheckSigned(Configuration members, SignedMessage signed)
    {
        var sender = signed.Message.Sender;
        var member = members.Find(sender);
        if (member is null)
        {
            return Verdict.Reject($"{signed.Message.GetType().Name} from {sender}, which is not a member");
        }
        return signatures.Verify(member.PublicKey, MessageCodec.SigningBytes(chainId, signed.Message), signed.Signature)
            ? Verdict.Accept
            : Verdict.Reject($"the signature of {signed.Message.GetType().Name} from replica {sender} does not verify");
    }

    private Verdict CheckNested(Configuration members, PbftMessage message) => message switch
    {
        ViewChange vc => CheckViewChange(members, vc),
        NewView nv => CheckAll(members, nv.ViewChanges, nested: true),
        BlocksReply reply => CheckBlocks(members, reply),
        RequestBatch batch => CheckRequests(members, batch.Requests),
        PrePrepare pp => CheckRequests(members, pp.Block.Requests),
        _ => Verdict.Accept,
    };

    /// <summary>Every request must be authentic (<see cref="CheckRequest"/>); one that is not refuses the whole
    /// message, naming the request: its sender relayed or proposed a request no client signed.</summary>
    private Verdict CheckRequests(Configuration members, IReadOnlyList<ClientRequest> requests)
    {
        foreach (var request in requests)
        {
            if (CheckRequest(members, request) is { } problem)
            {
                return Verdict.Reject(problem);
            }
        }
        return Verdict.Accept;
    }

    /// <summary>Every approval of a membership change must be a known member's valid signature over the change
    /// (see <see cref="MembershipChange"/>); the core then counts whether they form a quorum. A malformed change
    /// passes here and is refused by the core.</summary>
    private string? CheckApprovals(Configuration members, ClientRequest request)
    {
        if (MembershipChange.TryParse(request) is not { } change)
        {
            return null;
        }
        var bytes = change.SigningBytes(chainId, request.RequestId);
        foreach (var approval in change.ApprovalList)
        {
            if (members.Find(approval.MemberId) is not { } member || !signatures.Verify(member.PublicKey, bytes, approval.Signature))
            {
                return $"membership request {request.RequestId}: the approval of member {approval.MemberId} does not verify";
            }
        }
        return null;
    }

    private Verdict CheckViewChange(Configuration members, ViewChange vc)
    {
        var verdict = CheckAll(members, vc.CheckpointProof, nested: false);
        foreach (var proof in vc.Prepared)
        {
            if (!verdict.Ok)
            {
                return verdict;
            }
            verdict = CheckSigned(members, proof.PrePrepare);
            verdict = verdict.Ok ? CheckAll(members, proof.Prepares, nested: false) : verdict;
        }
        return verdict;
    }

    private Verdict CheckAll(Configuration members, IReadOnlyList<SignedMessage> list, bool nested)
    {
        foreach (var signed in list)
        {
            var verdict = CheckSigned(members, signed);
            if (verdict.Ok && nested)
            {
                verdict = CheckNested(members, signed.Message);
            }
            if (!verdict.Ok)
            {
                return Verdict.Reject("nested: " + verdict.Reason);
            }
        }
        return Verdict.Accept;
    }

    private Verdict CheckBlocks(Configuration members, BlocksReply reply)
    {
        foreach (var certified in reply.Blocks)
        {
            foreach (var vote in certified.Certificate.Votes)
            {
                var verdict = _certificates.CheckSignature(members, vote);
                if (!verdict.Ok)
                {
                    return verdict;
                }
            }
        }
        return Verdict.Accept;
    }
}

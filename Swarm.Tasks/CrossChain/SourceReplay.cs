using Swarm.Consensus.Blocks;

namespace Swarm.Tasks.CrossChain;

/// <summary>
/// What a light client must follow of a source chain to check its later certificates: which configuration (members
/// and keys) is in force, which membership change is pending and from which height, and the last request id executed
/// per client (a replica executes a request, membership changes included, only if its id is above its client's last
/// one, so a replayed change must not count twice). It mirrors the replica's execution rule (Replica.Execute and
/// ScheduleMembershipChange): a change applies with a quorum's approvals of the configuration it changes and takes
/// effect above <see cref="MembershipChange.ActivationHeight"/>.
/// </summary>
internal sealed class SourceReplay
{
    private SourceReplay(Configuration current, Configuration? next, long nextHeight, Dictionary<string, long> lastRequest)
    {
        Current = current;
        Next = next;
        NextHeight = nextHeight;
        LastRequest = lastRequest;
    }

    public SourceReplay(Genesis genesis)
        : this(genesis.InitialConfiguration, null, long.MaxValue, new Dictionary<string, long>(StringComparer.Ordinal))
    {
    }

    /// <summary>The configuration that certifies the next block to execute.</summary>
    public Configuration Current { get; private set; }

    public Configuration? Next { get; private set; }

    public long NextHeight { get; private set; }

    public Dictionary<string, long> LastRequest { get; }

    public SourceReplay Clone() => new(Current, Next, NextHeight, new Dictionary<string, long>(LastRequest, StringComparer.Ordinal));

    /// <summary>Executes one block: returns the requests it executed (not repeats), or a reason when the block holds a
    /// membership change whose approvals do not verify (no honest quorum commits such a block).</summary>
    public (IReadOnlyList<ClientRequest>? Executed, string? Problem) Execute(Block block, Genesis genesis, ISignatureVerifier verifier)
    {
        var executed = new List<ClientRequest>(block.Requests.Count);
        foreach (var request in block.Requests)
        {
            if (!request.RunsAfter(LastRequest))
            {
                continue;
            }
            LastRequest[request.ClientId] = request.RequestId;
            executed.Add(request);
            if (MembershipChange.TryParse(request) is not { } change)
            {
                continue;
            }
            var baseConfig = Next ?? Current;
            var bytes = change.SigningBytes(genesis.ChainId, request.RequestId);
            foreach (var approval in change.ApprovalList)
            {
                // An approval of someone outside the configuration does not count (ApprovedBy), as in the replica.
                if (baseConfig.Find(approval.MemberId) is { } member && !verifier.Verify(member.PublicKey, bytes, approval.Signature))
                {
                    return (null, $"block {block.Height}: the approval of member {approval.MemberId} on membership request " +
                        $"{request.RequestId} does not verify");
                }
            }
            if (change.ApprovedBy(baseConfig) && baseConfig.Apply(change) is { } changed)
            {
                Next = changed;
                NextHeight = MembershipChange.ActivationHeight(block.Height, genesis.Parameters);
            }
        }
        if (block.Height == NextHeight)
        {
            Current = Next!;
            Next = null;
            NextHeight = long.MaxValue;
        }
        return (executed, null);
    }
}

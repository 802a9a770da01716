using System.Security.Cryptography;
using System.Text;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tasks;
using Swarm.Tasks.CrossChain;

namespace Swarm.Node.CrossChain;

/// <summary>
/// A task's chain run in one process: one <see cref="ReplicaHost"/> per participant (the real PBFT core behind its
/// real edge, Ed25519 keys, every message and request signed and verified) over an in-memory FIFO, with a clock that
/// advances 10 ms per step. The sites' requests are the real task requests, so what it commits is a chain a task would
/// commit: rounds closed and finalized by the sites' votes, export statements, membership changes. Used to build
/// cross-chain proofs from real certified blocks in the tests and in <c>swarm bench proof</c>.
/// </summary>
public sealed class InProcessTaskChain : IReplicaTransport, IDisposable
{
    private const int StepsMax = 10_000;
    private readonly Queue<(int To, SignedMessage Message)> _queue = new();
    private readonly Ed25519Signer[] _signers;
    private readonly ReplicaHost[] _hosts;
    private readonly InMemoryReplicaLedger[] _ledgers;
    private readonly Dictionary<string, long> _requestIds = new(StringComparer.Ordinal);
    private long _nowMs = 1_000;
    private long _membershipRequestId;
    private bool _samplesDeclared;

    public InProcessTaskChain(TaskSpec spec)
    {
        Spec = spec;
        SpecBytes = TaskSpecCodec.Encode(spec);
        _signers = [.. spec.Participants.Select(_ => Ed25519Signer.Generate())];
        (Genesis, Terms) = TaskGenesis.Create(spec, SpecBytes, [.. _signers.Select(s => s.PublicKey)]);
        var clients = ClientKeys.ForMembers(spec.Participants, Genesis);
        var options = new ReplicaOptions { RequestTimeoutTicks = 1_000_000, ViewChangeTimeoutTicks = 1_000_000, PipelineBlocksMax = 1 };
        _ledgers = [.. spec.Participants.Select(_ => new InMemoryReplicaLedger())];
        _hosts = [.. Enumerable.Range(0, spec.Participants.Count).Select(i =>
            new ReplicaHost(new Replica(Genesis, i, options), Genesis.ChainId, _signers[i], Verifier, clients, _ledgers[i], this))];
    }

    /// <summary>A plain task spec for such a chain: <paramref name="sites"/> participants, every one needed to close a round.</summary>
    public static TaskSpec SpecFor(string id, int sites, int rounds)
    {
        var names = Enumerable.Range(0, sites).Select(i => $"{id}-site-{i}").ToArray();
        return new TaskSpec
        {
            Id = id,
            Model = "smallcnn",
            Participants = names,
            Datasets = names.ToDictionary(s => s, _ => "pneumoniamnist"),
            Rounds = rounds,
        };
    }

    public TaskSpec Spec { get; }

    public byte[] SpecBytes { get; }

    public Genesis Genesis { get; }

    public TaskChainTerms Terms { get; }

    public ISignatureVerifier Verifier { get; } = new Ed25519SignatureScheme();

    public SourceAnchor Anchor => new(Genesis.ChainId, Genesis.Hash);

    /// <summary>The committed blocks with their certificates, as replica <paramref name="replica"/> stored them.</summary>
    public IReadOnlyList<CertifiedBlock> Ledger(int replica = 0) => _ledgers[replica].ReadRange(1, _ledgers[replica].Height);

    public long Height => _ledgers[0].Height;

    /// <summary>Site <paramref name="site"/>'s signed client request carrying a task request.</summary>
    public ClientRequest SiteRequest(int site, TaskRequest request)
    {
        var name = Spec.Participants[site];
        return new ClientRequest(name, NextId(name), request.ToPayload(Genesis.ChainId, Sign(site))).SignedWith(Genesis.ChainId, Sign(site));
    }

    /// <summary>Site <paramref name="site"/>'s signed client request asking this chain to record an import (the
    /// request may name another site: a test of what the chain refuses).</summary>
    public ClientRequest Import(int site, ModelImportRequest import) =>
        import.ToRequest(Genesis.ChainId, NextId(Spec.Participants[site]), Sign(site), Spec.Participants[site]);

    /// <summary>Commits the requests (in one or more blocks) and returns once every live replica has executed them.</summary>
    public void Commit(params ClientRequest[] requests)
    {
        var before = Height;
        foreach (var request in requests)
        {
            if (_hosts[0].Submit(request) is { } problem)
            {
                throw new InvalidOperationException($"chain {Genesis.ChainId} refused a request: {problem}");
            }
        }
        for (var step = 0; step < StepsMax; step++)
        {
            Deliver();
            var executed = Ledger().Skip((int)before).SelectMany(b => b.Block.Requests).Select(r => r.Key).ToHashSet();
            if (requests.All(r => executed.Contains(r.Key)))
            {
                return;
            }
            _nowMs += 10;
            foreach (var host in _hosts)
            {
                host.Tick(_nowMs);
            }
        }
        throw new InvalidOperationException($"chain {Genesis.ChainId} did not commit {requests.Length} requests in {StepsMax} steps");
    }

    /// <summary>Runs round <paramref name="round"/> with every site: updates, then votes for one aggregate and model,
    /// which finalize the round. Returns the model hash (derived from the chain and round, like a real digest).</summary>
    public string FinishRound(int round) => FinishRound(round, Hex($"{Genesis.ChainId} model {round}"));

    /// <summary>Runs round <paramref name="round"/> like <see cref="FinishRound(int)"/>, finalizing <paramref name="model"/>
    /// (the digest of a real parameter vector, when a test needs bytes that hash to the final model).</summary>
    public string FinishRound(int round, string model)
    {
        var sites = Spec.Participants;
        var updates = sites.Select((s, i) => new UpdateRef(s, Hex($"{Genesis.ChainId} update {round} {s}"), 100 + i)).ToList();
        DeclareSamples();
        Commit([.. updates.Select((u, i) => SiteRequest(i, new UpdatePublished(round, u.Site, u.Hash, u.SampleCount)))]);
        var aggregate = Hex($"{Genesis.ChainId} aggregate {round}");
        var set = TaskChain.UpdateSetDigest(updates);
        Commit([.. sites.Select((s, i) => SiteRequest(i, new AggregateVote(round, s, set, aggregate, model)))]);
        return model;
    }

    /// <summary>Commits, once, what a started round task's sites record first: every site's sample count as declared
    /// and signed at consent (site i declares 100 + i, the weight its updates carry in <see cref="FinishRound(int, string)"/>).
    /// Nothing on a chain that fixes counts by first update.</summary>
    public void DeclareSamples()
    {
        if (!Terms.SamplesDeclaredAtConsent || _samplesDeclared)
        {
            return;
        }
        _samplesDeclared = true;
        var sites = Spec.Participants;
        Commit(SiteRequest(0, new SamplesDeclared(sites[0],
            [.. sites.Select((s, i) => SampleDeclaration.Sign(Genesis.ChainId, Spec.Id, s, 100 + i, Sign(i)))])));
    }

    /// <summary>Sites <paramref name="sites"/> state grant (or withdrawal) <paramref name="grantId"/> on this chain.</summary>
    public void Export(string grantId, bool grant, ExportScope scope, params int[] sites) =>
        Commit([.. sites.Select(i => new ExportPolicyRequest(Spec.Participants[i], grantId, grant, scope)
            .ToRequest(Genesis.ChainId, NextId(Spec.Participants[i]), Sign(i)))]);

    /// <summary>Commits a membership change approved by <paramref name="approvers"/>.</summary>
    public void ChangeMembership(MembershipChange change, params int[] approvers)
    {
        var id = ++_membershipRequestId;
        var bytes = change.SigningBytes(Genesis.ChainId, id);
        Commit((change with { Approvals = [.. approvers.Select(a => new MemberApproval(a, _signers[a].Sign(bytes)))] }).ToRequest(id));
    }

    /// <summary>Commits <paramref name="blocks"/> blocks of audit-trail requests (a site announcing a rejoin),
    /// which change nothing in the task: what a chain's later life looks like to an importer.</summary>
    public void Pad(int blocks, int site = 0)
    {
        for (var i = 0; i < blocks; i++)
        {
            Commit(SiteRequest(site, new SiteRejoined(1, Spec.Participants[site])));
        }
    }

    /// <summary>Member <paramref name="member"/>'s signature over <paramref name="bytes"/>: lets a test stand in for a
    /// member whose key leaked (a removed member signing for heights it no longer certifies).</summary>
    public byte[] SignAs(int member, byte[] bytes) => _signers[member].Sign(bytes);

    public void Send(int from, int to, SignedMessage message) => _queue.Enqueue((to, message));

    public void Broadcast(int from, SignedMessage message)
    {
        for (var i = 0; i < _hosts.Length; i++)
        {
            if (i != from)
            {
                _queue.Enqueue((i, message));
            }
        }
    }

    public void Dispose()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }

    private void Deliver()
    {
        while (_queue.TryDequeue(out var next))
        {
            _hosts[next.To].Deliver(next.Message);
        }
    }

    private Func<byte[], byte[]> Sign(int site) => bytes => _signers[site].Sign(bytes);

    private long NextId(string client) => _requestIds[client] = _requestIds.GetValueOrDefault(client) + 1;

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Consensus;

/// <summary>Drives pure replicas by hand for transcript tests: it signs what a replica asks to sign (feeding the
/// result back), keeps each replica's ledger, and delivers messages only when a test says so.</summary>
internal sealed class PbftHarness
{
    public static readonly ChainParameters Parameters = new(BatchSizeMax: 4, CheckpointIntervalBlocks: 2,
        WatermarkWindowBlocks: 4, ClockSkewMaxMs: 60_000, GenesisTimestampMs: 0);

    public static readonly ReplicaOptions Options = new()
    {
        RequestTimeoutTicks = 5,
        ViewChangeTimeoutTicks = 5,
        FetchTimeoutTicks = 2,
        PipelineBlocksMax = 1,
        FetchBlocksMax = 8,
        RequestIdWindowMax = 1_000_000,
    };

    private readonly ISigner[] _signers;
    private readonly ReplicaOptions _options;
    private readonly EnvelopeVerifier _verifier;

    /// <summary>n replicas on the harness chain. Only for showing what client signatures prevent,
    /// <paramref name="acceptAnyClientSignature"/> makes the edge take any signature of a known client as valid, as
    /// it did before requests were signed.</summary>
    public PbftHarness(int n = 4, ISignatureVerifier? verifier = null, IReadOnlyList<ISigner>? signers = null,
        ReplicaOptions? options = null, bool acceptAnyClientSignature = false)
    {
        _options = options ?? Options;
        _signers = signers?.ToArray() ?? Enumerable.Range(0, n).Select(FakeSignatureScheme.CreateSigner).ToArray();
        Verifier = verifier ?? new FakeSignatureScheme();
        Genesis = new Genesis(ChainId, _signers.Select((s, i) => new Member(i, s.PublicKey)).ToArray(), (n - 1) / 3, Parameters);
        _verifier = new EnvelopeVerifier(Genesis.ChainId, new ClientAwareScheme(Verifier, acceptAnyClientSignature), Clients);
        Replicas = Enumerable.Range(0, n).Select(i => new Replica(Genesis, i, _options)).ToArray();
        Ledgers = Enumerable.Range(0, n).Select(_ => new List<CertifiedBlock>()).ToArray();
        Outbox = Enumerable.Range(0, n).Select(_ => new List<(int? To, SignedMessage Message)>()).ToArray();
        HardStates = new HardState?[n];
        Executed = Enumerable.Range(0, n).Select(_ => new List<ClientRequest>()).ToArray();
    }

    public Genesis Genesis { get; }
    public ISignatureVerifier Verifier { get; }
    public Replica[] Replicas { get; }
    public List<CertifiedBlock>[] Ledgers { get; }

    /// <summary>The requests each replica executed (not skipped as duplicates), in order.</summary>
    public List<ClientRequest>[] Executed { get; }

    /// <summary>The last hard state each replica persisted (what a restart finds in its store).</summary>
    public HardState?[] HardStates { get; }

    /// <summary>Crashes a replica and restarts it from its ledger and last persisted hard state; what it had sent
    /// but was not delivered yet is lost.</summary>
    public Replica Restart(int id)
    {
        Outbox[id].Clear();
        Replicas[id] = Replica.Restore(Genesis, id, _options, HardStates[id], Ledgers[id]);
        return Replicas[id];
    }

    /// <summary>Messages each replica sent (To null: broadcast), not yet delivered.</summary>
    public List<(int? To, SignedMessage Message)>[] Outbox { get; }

    public SignedMessage Sign(int signer, PbftMessage message) =>
        new(message, _signers[signer].Sign(MessageCodec.SigningBytes(Genesis.ChainId, message)));

    public VerifiedMessage Verify(SignedMessage message)
    {
        var verdict = _verifier.Verify(Genesis.InitialConfiguration, message, out var verified);
        Assert.True(verdict.Ok, verdict.Reason);
        return verified!;
    }

    /// <summary>Steps a replica and everything its signing requests lead to; returns every output in order.</summary>
    public List<ReplicaOutput> Run(int id, ReplicaInput input)
    {
        var all = new List<ReplicaOutput>();
        var inputs = new Queue<ReplicaInput>([input]);
        while (inputs.TryDequeue(out var next))
        {
            foreach (var output in Replicas[id].Step(next))
            {
                all.Add(output);
                switch (output)
                {
                    case SignRequest sign:
                        inputs.Enqueue(new Signed(Sign(id, sign.Message), sign.To));
                        break;
                    case Broadcast broadcast:
                        Outbox[id].Add((null, broadcast.Message));
                        break;
                    case Send send:
                        Outbox[id].Add((send.To, send.Message));
                        break;
                    case PersistBlock persist:
                        Ledgers[id].Add(persist.Block);
                        break;
                    case PersistState persist:
                        HardStates[id] = persist.State;
                        break;
                    case Committed committed:
                        Executed[id].AddRange(committed.Executed);
                        break;
                    case ReadBlocks read:
                        inputs.Enqueue(new BlocksRead(read.Requester,
                            Ledgers[id].Where(b => b.Block.Height >= read.From && b.Block.Height <= read.To).ToArray()));
                        break;
                }
            }
        }
        return all;
    }

    public List<ReplicaOutput> Deliver(int to, SignedMessage message) => Run(to, new Receive(Verify(message)));

    /// <summary>The edge check alone, without asserting that it passes.</summary>
    public Verdict Check(SignedMessage message) => _verifier.Verify(Genesis.InitialConfiguration, message, out _);

    /// <summary>Takes (and forgets) what a replica sent so far.</summary>
    public List<(int? To, SignedMessage Message)> TakeOutbox(int id)
    {
        var sent = Outbox[id].ToList();
        Outbox[id].Clear();
        return sent;
    }

    /// <summary>Delivers every sent message to its receivers (except the excluded replicas) until none is left.</summary>
    public void Pump(params int[] isolated) => Pump((_, _, _) => true, isolated);

    /// <summary>Like <see cref="Pump(int[])"/>; <paramref name="deliver"/> (sender, receiver, message) may drop a
    /// message or replace it (a Byzantine sender's lie) by returning false after delivering something else.</summary>
    public void Pump(Func<int, int, SignedMessage, bool> deliver, params int[] isolated)
    {
        for (var round = 0; round < 10_000; round++)
        {
            var sender = Enumerable.Range(0, Replicas.Length).FirstOrDefault(i => Outbox[i].Count > 0, -1);
            if (sender < 0)
            {
                return;
            }
            foreach (var (to, message) in TakeOutbox(sender))
            {
                if (isolated.Contains(sender))
                {
                    continue;
                }
                var targets = to is int single ? [single] : Enumerable.Range(0, Replicas.Length).Where(i => i != sender);
                foreach (var target in targets.Where(t => !isolated.Contains(t)))
                {
                    if (deliver(sender, target, message))
                    {
                        Deliver(target, message);
                    }
                }
            }
        }
        Assert.Fail("the harness network did not go quiet");
    }

    public void TickAll(int ticks, params int[] stopped)
    {
        for (var t = 0; t < ticks; t++)
        {
            for (var i = 0; i < Replicas.Length; i++)
            {
                if (!stopped.Contains(i))
                {
                    Run(i, new Tick(t * 10));
                }
            }
        }
    }

    /// <summary>A membership change as a request, approved by the given members' signatures.</summary>
    public ClientRequest Approved(MembershipChange change, long requestId, params int[] approvers)
    {
        var bytes = change.SigningBytes(Genesis.ChainId, requestId);
        return (change with { Approvals = approvers.Select(i => new MemberApproval(i, _signers[i].Sign(bytes))).ToArray() }).ToRequest(requestId);
    }

    /// <summary>The clients of every harness chain: their requests are signed with stand-in keys (whatever scheme the
    /// members use), see <see cref="ClientAwareScheme"/>.</summary>
    public static readonly string[] ClientNames = ["alice", "bob", "carol"];

    public static ClientKeys Clients { get; } = new(ClientNames.Select(c => KeyValuePair.Create(c, ClientSigner(c).PublicKey)));

    /// <summary>The stand-in signer of a harness client (a fake key derived from its name; 8 bytes long, unlike any
    /// member key, which is how <see cref="ClientAwareScheme"/> tells them apart).</summary>
    public static ISigner ClientSigner(string client) => FakeSignatureScheme.CreateSigner(1_000 + Array.IndexOf(ClientNames, client));

    /// <summary>A request of <paramref name="client"/>, signed by it for the harness chain.</summary>
    public static ClientRequest Request(long id, string client = "alice") =>
        new ClientRequest(client, id, BitConverter.GetBytes(id)).SignedWith(ChainId, bytes => ClientSigner(client).Sign(bytes));

    public const string ChainId = "transcript";

    /// <summary>Member signatures in the given scheme, clients' stand-in signatures in the fake one: lets the tests
    /// that run members on real Ed25519 keep the same signed client requests.</summary>
    private sealed class ClientAwareScheme(ISignatureVerifier members, bool acceptAnyClientSignature) : ISignatureVerifier
    {
        private static readonly HashSet<string> ClientKeyHex = [.. ClientNames.Select(c => Convert.ToHexString(ClientSigner(c).PublicKey))];
        private readonly FakeSignatureScheme _fake = new();

        public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
            ClientKeyHex.Contains(Convert.ToHexString(publicKey))
                ? acceptAnyClientSignature || _fake.Verify(publicKey, message, signature)
                : members.Verify(publicKey, message, signature);
    }
}

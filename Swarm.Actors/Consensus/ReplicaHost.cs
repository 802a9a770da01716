using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Actors.Consensus;

/// <summary>The thin edge around a pure <see cref="Replica"/> (STYLE.md #4): it verifies incoming envelopes,
/// feeds inputs to <see cref="Replica.Step"/> and carries out the outputs in order: signing (whose result goes
/// back in as an input), persisting before anything later is sent, sending, and reading the ledger for peers.
/// Not thread-safe: the owner (an actor, the simulator, the benchmark) calls it from one thread at a time.
/// <para>It runs in one of two modes. Writing through: each write goes to the <see cref="IReplicaLedger"/> at once,
/// synchronously, before the next output is carried out (the simulator, the benchmark). Deferring (<see cref="Deferring"/>):
/// writes go to the ledger, which is then only the owner's in-memory view, and are also collected; every message and
/// commit report after the first write of a step waits in a <see cref="DurableBatch"/> that the owner takes after
/// the step (<see cref="TakeBatch"/>), makes durable, and releases (a persistent actor's journal).</para></summary>
public sealed class ReplicaHost
{
    private readonly string _chainId;
    private readonly ISigner _signer;
    private readonly EnvelopeVerifier _verifier;
    private readonly IReplicaLedger _ledger;
    private readonly IReplicaTransport _transport;
    private readonly Queue<ReplicaInput> _inputs = new();
    private readonly bool _deferring;
    private readonly List<CertifiedBlock> _pendingBlocks = [];
    private readonly List<Action> _pendingEffects = [];
    private byte[]? _pendingState;
    private HardState? _unsavedState;

    /// <summary>The hashes of the blocks this host appended above the stable checkpoint: a prepared certificate for
    /// one of them is written into the hard state without its block (<see cref="HardStateCodec.Encode(HardState, Func{long, Swarm.Consensus.Encoding.Digest?})"/>).</summary>
    private readonly Dictionary<long, Swarm.Consensus.Encoding.Digest> _appended = [];

    /// <summary>Wraps <paramref name="replica"/>, writing through to <paramref name="ledger"/>. <paramref name="clients"/>
    /// are the chain's clients and their keys: requests not signed by one of them are refused, here
    /// (<see cref="Submit"/>) and in every peer's relay or pre-prepare.</summary>
    public ReplicaHost(Replica replica, string chainId, ISigner signer, ISignatureVerifier verifier, ClientKeys clients,
        IReplicaLedger ledger, IReplicaTransport transport)
        : this(replica, chainId, signer, verifier, clients, ledger, transport, deferring: false)
    {
    }

    private ReplicaHost(Replica replica, string chainId, ISigner signer, ISignatureVerifier verifier, ClientKeys clients,
        IReplicaLedger ledger, IReplicaTransport transport, bool deferring)
    {
        _deferring = deferring;
        Replica = replica;
        _chainId = chainId;
        _signer = signer;
        _verifier = new EnvelopeVerifier(chainId, verifier, clients);
        _ledger = ledger;
        _transport = transport;
    }

    public Replica Replica { get; }

    /// <summary>A host in the deferring mode: <paramref name="view"/> is the owner's in-memory copy of its durable
    /// ledger (reads for state transfer come from it); after every call that steps the replica the owner must
    /// take the step's <see cref="DurableBatch"/> with <see cref="TakeBatch"/> before it steps again.</summary>
    public static ReplicaHost Deferring(Replica replica, string chainId, ISigner signer, ISignatureVerifier verifier, ClientKeys clients,
        IReplicaLedger view, IReplicaTransport transport) => new(replica, chainId, signer, verifier, clients, view, transport, deferring: true);

    /// <summary>In the deferring mode, what the last step must make durable and what waits for it; null when it
    /// wrote nothing (its messages have then already left). Always null when writing through.</summary>
    public DurableBatch? TakeBatch()
    {
        if (_pendingBlocks.Count == 0 && _pendingState is null)
        {
            Swarm.Consensus.Invariant.Assert(_pendingEffects.Count == 0, "effects wait for a batch without writes");
            return null;
        }
        var effects = _pendingEffects.ToList();
        var batch = new DurableBatch(_pendingBlocks.ToList(), _pendingState, () =>
        {
            foreach (var effect in effects)
            {
                effect();
            }
        });
        _pendingBlocks.Clear();
        _pendingEffects.Clear();
        _pendingState = null;
        return batch;
    }

    /// <summary>Raised for every executed block, in height order.</summary>
    public event Action<Committed>? Committed;

    /// <summary>Raised for every refused input, at the edge or in the core.</summary>
    public event Action<Rejected>? Rejected;

    /// <summary>Raised once when the replica finds two certificates for one height and stops on this chain.</summary>
    public event Action<ForkDetected>? ForkDetected;

    /// <summary>Forks detected by this replica (0 or 1: it stops at the first).</summary>
    public int ForksDetected => Replica.ForksDetected;

    public int Id => Replica.Id;

    /// <summary>Rebuilds a replica from its ledger. A stored hard state that cannot be decoded stops the start with
    /// <see cref="ReplicaStateException"/>: a replica without it could vote twice for a slot or forget a prepared
    /// block, so it must not run until an operator looks at the store.</summary>
    public static Replica Restore(Genesis genesis, int id, ReplicaOptions options, IReplicaLedger ledger)
    {
        HardState? state = null;
        if (ledger.LoadState(HardStateCodec.StoreKey) is { } bytes)
        {
            Block? LedgerBlockAt(long height) =>
                height >= 1 && height <= ledger.Height && ledger.ReadRange(height, height) is [var stored] ? stored.Block : null;
            if (!HardStateCodec.TryDecode(bytes, LedgerBlockAt, out state, out var error))
            {
                throw new ReplicaStateException(
                    $"replica {id} of chain {genesis.ChainId}: the stored hard state ({bytes.Length} bytes) cannot be read ({error}); " +
                    "the replica does not start, since without it it could vote twice. Restore the store from a backup, or remove the " +
                    "replica's data and let it rejoin by state transfer as a fresh member.");
            }
        }
        return Replica.Restore(genesis, id, options, state, ledger.ReadRange(1, ledger.Height));
    }

    /// <summary>Submits a client's request here. Its signature is checked as every peer will check it, so a request
    /// no client signed is refused at once with the reason (raised as <see cref="Rejected"/>, returned) instead of
    /// being dropped by every peer; null when it was accepted.</summary>
    public string? Submit(ClientRequest request)
    {
        if (_verifier.CheckRequest(Replica.KnownMembers, request) is { } problem)
        {
            Rejected?.Invoke(new Rejected(Replica.Id, problem));
            return problem;
        }
        Run(new SubmitRequest(request));
        return null;
    }

    public void Tick(long nowMs) => Run(new Tick(nowMs));

    /// <summary>Verifies a message from the network and, if it passes, steps the replica with it.</summary>
    public Verdict Deliver(SignedMessage message)
    {
        var verdict = Verify(message, out var verified);
        if (verdict.Ok)
        {
            Deliver(verified!);
        }
        return verdict;
    }

    /// <summary>The edge check alone (signatures, membership). It reads the replica's membership but never steps
    /// it, so an owner may verify many messages in parallel while no step runs, then deliver them in order.</summary>
    public Verdict Verify(SignedMessage message, out VerifiedMessage? verified)
    {
        var verdict = _verifier.Verify(Replica.KnownMembers, message, out verified);
        if (!verdict.Ok)
        {
            Rejected?.Invoke(new Rejected(message.Message.Sender, verdict.Reason));
        }
        return verdict;
    }

    public void Deliver(VerifiedMessage verified) => Run(new Receive(verified));

    private void Run(ReplicaInput input)
    {
        Swarm.Consensus.Invariant.Assert(_pendingBlocks.Count == 0 && _pendingState is null,
            "the replica stepped again before the owner took the last step's durable batch");
        _inputs.Enqueue(input);
        while (_inputs.TryDequeue(out var next))
        {
            foreach (var output in Replica.Step(next))
            {
                Perform(output);
            }
        }
        FlushState();
    }

    /// <summary>A hard state waits until an output that others can observe (or that depends on it) comes, or the
    /// run ends; a later one replaces it. Each hard state is complete, so writing only the last one before a
    /// message leaves keeps persist-before-send with fewer writes.</summary>
    private void FlushState()
    {
        if (_unsavedState is { } state)
        {
            _unsavedState = null;
            if (_appended.Count > 0)
            {
                foreach (var height in _appended.Keys.Where(h => h <= state.StableSequence).ToList())
                {
                    _appended.Remove(height);
                }
            }
            var encoded = HardStateCodec.Encode(state, height => _appended.TryGetValue(height, out var hash) ? hash : null);
            _ledger.SaveState(HardStateCodec.StoreKey, encoded);
            if (_deferring)
            {
                _pendingState = encoded;
            }
        }
    }

    /// <summary>Carries out an effect others can observe now, or, in the deferring mode after a write of this
    /// step, once the owner has made the write durable.</summary>
    private void Effect(Action effect)
    {
        if (_deferring && (_pendingBlocks.Count > 0 || _pendingState is not null))
        {
            _pendingEffects.Add(effect);
            return;
        }
        effect();
    }

    private void Perform(ReplicaOutput output)
    {
        if (output is PersistState hardState)
        {
            _unsavedState = hardState.State;
            return;
        }
        if (output is not SignRequest)
        {
            FlushState();
        }
        switch (output)
        {
            case SignRequest sign:
                var signature = _signer.Sign(MessageCodec.SigningBytes(_chainId, sign.Message));
                _inputs.Enqueue(new Signed(new SignedMessage(sign.Message, signature), sign.To));
                break;
            case Send send:
                Effect(() => _transport.Send(Id, send.To, send.Message));
                break;
            case Broadcast broadcast:
                Effect(() => _transport.Broadcast(Id, broadcast.Message));
                break;
            case PersistBlock persist:
                _ledger.Append(persist.Block);
                _appended[persist.Block.Block.Height] = persist.Block.Block.Hash;
                if (_deferring)
                {
                    _pendingBlocks.Add(persist.Block);
                }
                break;
            case Swarm.Consensus.Pbft.ForkDetected fork:
                ForkDetected?.Invoke(fork);
                break;
            case Swarm.Consensus.Pbft.Committed committed:
                Effect(() => Committed?.Invoke(committed));
                break;
            case ReadBlocks read:
                _inputs.Enqueue(new BlocksRead(read.Requester, _ledger.ReadRange(read.From, read.To)));
                break;
            case Swarm.Consensus.Pbft.Rejected rejected:
                Rejected?.Invoke(rejected);
                break;
        }
    }
}

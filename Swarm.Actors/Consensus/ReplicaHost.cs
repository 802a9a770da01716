using Swarm.Consensus.Blocks;
using Swarm.Consensus.Pbft;

namespace Swarm.Actors.Consensus;

/// <summary>The thin edge around a pure <see cref="Replica"/> (STYLE.md #4): it verifies incoming envelopes,
/// feeds inputs to <see cref="Replica.Step"/> and carries out the outputs in order: signing (whose result goes
/// back in as an input), persisting before anything later is sent, sending, and reading the ledger for peers.
/// Not thread-safe: the owner (an actor, the simulator, the benchmark) calls it from one thread at a time.</summary>
public sealed class ReplicaHost
{
    private readonly string _chainId;
    private readonly ISigner _signer;
    private readonly EnvelopeVerifier _verifier;
    private readonly IReplicaLedger _ledger;
    private readonly IReplicaTransport _transport;
    private readonly Queue<ReplicaInput> _inputs = new();

    public ReplicaHost(Replica replica, string chainId, ISigner signer, ISignatureVerifier verifier, IReplicaLedger ledger,
        IReplicaTransport transport)
    {
        Replica = replica;
        _chainId = chainId;
        _signer = signer;
        _verifier = new EnvelopeVerifier(chainId, verifier);
        _ledger = ledger;
        _transport = transport;
    }

    public Replica Replica { get; }

    /// <summary>Raised for every executed block, in height order.</summary>
    public event Action<Committed>? Committed;

    /// <summary>Raised for every refused input, at the edge or in the core.</summary>
    public event Action<Rejected>? Rejected;

    public int Id => Replica.Id;

    public static Replica Restore(Genesis genesis, int id, ReplicaOptions options, IReplicaLedger ledger)
    {
        HardState? state = null;
        if (ledger.LoadState(HardStateCodec.StoreKey) is { } bytes && HardStateCodec.TryDecode(bytes, out var decoded, out _))
        {
            state = decoded;
        }
        return Replica.Restore(genesis, id, options, state, ledger.ReadRange(1, ledger.Height));
    }

    public void Submit(ClientRequest request) => Run(new SubmitRequest(request));

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
        _inputs.Enqueue(input);
        while (_inputs.TryDequeue(out var next))
        {
            foreach (var output in Replica.Step(next))
            {
                Perform(output);
            }
        }
    }

    private void Perform(ReplicaOutput output)
    {
        switch (output)
        {
            case SignRequest sign:
                var signature = _signer.Sign(MessageCodec.SigningBytes(_chainId, sign.Message));
                _inputs.Enqueue(new Signed(new SignedMessage(sign.Message, signature), sign.To));
                break;
            case Send send:
                _transport.Send(Id, send.To, send.Message);
                break;
            case Broadcast broadcast:
                _transport.Broadcast(Id, broadcast.Message);
                break;
            case PersistBlock persist:
                _ledger.Append(persist.Block);
                break;
            case PersistState state:
                _ledger.SaveState(HardStateCodec.StoreKey, HardStateCodec.Encode(state.State));
                break;
            case Swarm.Consensus.Pbft.Committed committed:
                Committed?.Invoke(committed);
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

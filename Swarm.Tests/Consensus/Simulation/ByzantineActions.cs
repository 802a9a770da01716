using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus.Simulation;

/// <summary>What Byzantine replicas do to their outgoing traffic and on their own timers. They hold their own
/// keys, so their lies are validly signed, except the forger's, which claim other replicas' names.</summary>
internal static class ByzantineActions
{
    public static IEnumerable<(int To, SignedMessage Message)> Outgoing(Simulation sim, SimNode node, int? to, SignedMessage message)
    {
        var targets = to is int single ? [single] : sim.Nodes.Where(n => n.Id != node.Id).Select(n => n.Id).ToArray();
        switch (node.Kind)
        {
            case ByzantineKind.Equivocate when message.Message is PrePrepare pp && to is null:
                node.Lies++;
                var other = sim.Sign(node, pp with { Block = Alternative(pp.Block) });
                return targets.Select(t => (t, t % 2 == 0 ? message : other));
            case ByzantineKind.WrongDigest when message.Message is Prepare or Commit:
                node.Lies++;
                var wrong = sim.Sign(node, message.Message switch
                {
                    Prepare p => p with { BlockHash = Digest.Of(sim.Random.Bytes(8)) },
                    Commit c => c with { BlockHash = Digest.Of(sim.Random.Bytes(8)) },
                    _ => message.Message,
                });
                return targets.Select(t => (t, wrong));
            case ByzantineKind.Forger:
                node.Lies++;
                var victim = (node.Id + 1 + sim.Random.Next(sim.Nodes.Count - 1)) % sim.Nodes.Count;
                var forged = new SignedMessage(message.Message with { Sender = victim }, sim.Random.Bytes(message.Signature.Length));
                return targets.Select(t => (t, message)).Append((targets[sim.Random.Next(targets.Length)], forged));
            case ByzantineKind.OmitPrepared when message.Message is ViewChange { Prepared.Count: > 0 } vc:
                node.Lies++;
                var omitted = sim.Sign(node, vc with { Prepared = [] });
                return targets.Select(t => (t, omitted));
            case ByzantineKind.InventPrepared when message.Message is ViewChange vc:
                node.Lies++;
                var invented = sim.Sign(node, vc with { Prepared = [.. vc.Prepared.Where(p => p.Proposal.Sequence != vc.StableSequence + 1), Invent(sim, node, vc)] });
                return targets.Select(t => (t, invented));
            case ByzantineKind.WrongNewView when message.Message is NewView nv:
                node.Lies++;
                var lying = sim.Sign(node, nv with { ViewChanges = WrongViewChanges(sim, node, nv) });
                return targets.Select(t => (t, t % 2 == 0 ? message : lying));
            case ByzantineKind.ForgeCheckpoint when message.Message is Checkpoint cp:
                node.Lies++;
                var early = sim.Sign(node, cp with { TimestampMs = cp.TimestampMs - 1 });
                var elsewhere = sim.Sign(node, cp with { BlockHash = Digest.Of(sim.Random.Bytes(8)) });
                return targets.SelectMany(t => new[] { (t, early), (t, elsewhere), (t, message) });
            default:
                return targets.Select(t => (t, message));
        }
    }

    /// <summary>A certificate for a block nobody proposed, just above the checkpoint: a pre-prepare in the liar's
    /// name for the view before the new one, backed only by its own prepare.</summary>
    private static PreparedProof Invent(Simulation sim, SimNode node, ViewChange vc)
    {
        var height = vc.StableSequence + 1;
        var block = new Block(height, vc.StableHash, node.Id, vc.NewView - 1, vc.StableTimestampMs,
            [new ClientRequest("mallory", long.MaxValue, sim.Random.Bytes(8))]);
        return new PreparedProof(sim.Sign(node, new PrePrepare(node.Id, vc.NewView - 1, height, block)),
            [sim.Sign(node, new Prepare(node.Id, vc.NewView - 1, height, block.Hash))]);
    }

    /// <summary>The new view with the liar's own view change stripped of its certificates (re-signed, so the new
    /// view is valid), or, if it had none, one view change short of a quorum.</summary>
    private static IReadOnlyList<SignedMessage> WrongViewChanges(Simulation sim, SimNode node, NewView nv)
    {
        var own = nv.ViewChanges.FirstOrDefault(s => s.Message.Sender == node.Id);
        if (own is { Message: ViewChange { Prepared.Count: > 0 } vc })
        {
            return nv.ViewChanges.Select(s => s == own ? sim.Sign(node, vc with { Prepared = [] }) : s).ToArray();
        }
        return nv.ViewChanges.Skip(1).ToArray();
    }

    /// <summary>Another block for the same height: same requests in reverse order, one millisecond later.</summary>
    private static Block Alternative(Block block) =>
        new(block.Height, block.PreviousHash, block.Proposer, block.View, block.TimestampMs + 1, block.Requests.Reverse().ToArray());

    public static void OnTick(Simulation sim, SimNode node)
    {
        switch (node.Kind)
        {
            case ByzantineKind.Replayer when node.Recorded.Count > 0 && sim.Random.Chance(0.5):
                node.Lies++;
                for (var i = 0; i < 4; i++)
                {
                    var old = node.Recorded[sim.Random.Next(node.Recorded.Count)];
                    foreach (var peer in sim.Nodes.Where(n => n.Id != node.Id && n.Id != old.Message.Sender))
                    {
                        sim.Route(node.Id, peer.Id, old);
                    }
                }
                break;
            case ByzantineKind.FutureFlood:
                Flood(sim, node);
                break;
            case ByzantineKind.ForgeRequest when sim.Random.Chance(0.2):
                node.Lies++;
                foreach (var forgery in ForgedRequests(sim, node))
                {
                    var signed = sim.Sign(node, new RequestBatch(node.Id, [forgery]));
                    foreach (var peer in sim.Nodes.Where(n => n.Id != node.Id))
                    {
                        sim.Route(node.Id, peer.Id, signed);
                    }
                }
                break;
        }
    }

    /// <summary>What a member that relays requests in other clients' names can try, each in its own validly signed
    /// batch: a request in a client's name with an id far ahead (it would silence the client), signed with the
    /// liar's own member key; a client's genuine signed request renumbered (the id is under the signature); and a
    /// membership change that only it approved (replacing a member's key with its own).</summary>
    private static IEnumerable<ClientRequest> ForgedRequests(Simulation sim, SimNode node)
    {
        var chainId = sim.Genesis.ChainId;
        var victim = $"client-{sim.Random.Next(sim.ClientSigners.Count)}";
        yield return new ClientRequest(victim, long.MaxValue - sim.Random.Next(1_000), sim.Random.Bytes(8))
            .SignedWith(chainId, bytes => node.Signer.Sign(bytes));
        if (sim.LastSubmitted is { } genuine && genuine.ClientId != MembershipChange.ClientId)
        {
            yield return genuine with { RequestId = genuine.RequestId + 1 + sim.Random.Next(1_000) };
        }
        var takeover = new MembershipChange(MembershipChangeKind.Add, new Member(sim.Random.Next(sim.Nodes.Count), node.Signer.PublicKey));
        var requestId = 1 + sim.Random.Next(3);
        var bytes = takeover.SigningBytes(chainId, requestId);
        yield return (takeover with { Approvals = [new MemberApproval(node.Id, node.Signer.Sign(bytes))] }).ToRequest(requestId);
    }

    private static void Flood(Simulation sim, SimNode node)
    {
        var view = node.Host!.Replica.View;
        node.Lies++;
        foreach (var peer in sim.Nodes.Where(n => n.Id != node.Id))
        {
            for (var i = 0; i < 6; i++)
            {
                var futureView = view + 1 + sim.Random.Next(40);
                var sequence = sim.Random.Range(1, 64);
                var hash = Digest.Of(sim.Random.Bytes(8));
                PbftMessage vote = i % 2 == 0 ? new Prepare(node.Id, futureView, sequence, hash) : new Commit(node.Id, futureView, sequence, hash);
                sim.Route(node.Id, peer.Id, sim.Sign(node, vote));
            }
            sim.Route(node.Id, peer.Id, sim.Sign(node, new FetchBlocks(node.Id, 1, 1_000)));
        }
    }
}

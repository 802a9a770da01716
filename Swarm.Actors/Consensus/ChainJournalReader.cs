using Akka.Actor;
using Akka.Persistence;
using Swarm.Consensus.Blocks;

namespace Swarm.Actors.Consensus;

/// <summary>Reads a chain from an actor system's journal without running a replica: a persistent actor under the
/// chain's persistence id that only replays (it never writes), hands over the chain and stops. Reports and tools use
/// it; the chain's own <see cref="ChainActor"/> may be running meanwhile.</summary>
public static class ChainJournalReader
{
    /// <summary>Every block of <paramref name="genesis"/>'s chain in the journal of <paramref name="system"/>, in
    /// height order.</summary>
    /// <exception cref="ChainJournalException">The journal holds something that is not this chain's ledger, or
    /// cannot be read.</exception>
    /// <exception cref="TimeoutException">Replay took longer than <paramref name="timeout"/>.</exception>
    public static async Task<IReadOnlyList<CertifiedBlock>> ReadAsync(ActorSystem system, Genesis genesis, TimeSpan timeout)
    {
        var result = new TaskCompletionSource<IReadOnlyList<CertifiedBlock>>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new Reader(genesis, result)));
        return await result.Task.WaitAsync(timeout).ConfigureAwait(false);
    }

    private sealed class Reader : UntypedPersistentActor
    {
        private readonly ChainRecovery _recovery;
        private readonly TaskCompletionSource<IReadOnlyList<CertifiedBlock>> _result;

        public Reader(Genesis genesis, TaskCompletionSource<IReadOnlyList<CertifiedBlock>> result)
        {
            PersistenceId = ChainActorOptions.PersistenceIdOf(genesis);
            _recovery = new ChainRecovery(genesis, PersistenceId);
            _result = result;
        }

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            if (_recovery.Recover(message, LastSequenceNr))
            {
                _result.TrySetResult(_recovery.Ledger.ReadRange(1, _recovery.Ledger.Height));
                Context.Stop(Self);
            }
        }

        protected override void OnCommand(object message) => Unhandled(message);

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            _result.TrySetException(reason as ChainJournalException ?? new ChainJournalException($"the journal of '{PersistenceId}' cannot be replayed: {reason.Message}"));
            base.OnRecoveryFailure(reason, message);
        }
    }
}

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>What a Byzantine site lies about; it may combine several. It signs with its own key only: it cannot
/// forge another site's request, and a request it makes in another site's name is refused by the chain.</summary>
[Flags]
public enum TaskLie
{
    None = 0,

    /// <summary>Votes a made-up aggregate and model hash for every round.</summary>
    AggregateHash = 1,

    /// <summary>Sends garbage under its announced update hash and answers every blob request with garbage.</summary>
    BlobBytes = 2,

    /// <summary>Publishes an update other than its training result (−20 × its Δ), with the matching hash.</summary>
    PoisonedUpdate = 4,

    /// <summary>Asks the chain to close every round as soon as it starts training.</summary>
    EarlyClose = 8,

    /// <summary>Reports a perfect validation score and votes in another site's name.</summary>
    ScoresAndImpersonation = 16,

    /// <summary>Publishes an update hash whose bytes it never gives anyone (withholding). In a plain round the others
    /// report it missing after a deadline and the chain drops it; under secure aggregation or secret sharing the
    /// round stalls, safely.</summary>
    WithheldUpdate = 32,

    /// <summary>With sample counts declared at consent: publishes every update with ten times the count it declared
    /// (a FedAvg weight it did not declare).</summary>
    InflatedSamples = 64,

    /// <summary>With sample counts declared at consent: signs a second declaration of its own at ten times its count
    /// and races a record carrying it (with the others' real declarations) onto the chain (with
    /// <see cref="InflatedSamples"/> its updates then carry that count).</summary>
    RedeclaredSamples = 128,
}

namespace Swarm.Node.Configuration;

/// <summary>Every setting of a node, read once from HOCON (hocon/reference.conf has each key, its default and its
/// meaning). Components receive their section, never the configuration object.</summary>
public sealed record NodeSettings
{
    public NodeIdentitySettings Node { get; init; } = new();

    public StoreSettings Store { get; init; } = new();

    public NetworkSettings Network { get; init; } = new();

    public TlsSettings Tls { get; init; } = new();

    public ConsortiumSettings Consortium { get; init; } = new();

    public GossipSettings Gossip { get; init; } = new();

    public HttpSettings Http { get; init; } = new();

    public ActorSettings Actors { get; init; } = new();

    public ConsensusSettings Consensus { get; init; } = new();

    public TrainingSettings Training { get; init; } = new();

    public LoggingSettings Logging { get; init; } = new();

    public PolicySettings Policy { get; init; } = new();

    public DataSettings Data { get; init; } = new();

    public TaskSettings Tasks { get; init; } = new();
}

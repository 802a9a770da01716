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

    /// <summary>The <c>akka { }</c> section of the same files, handed to the node's actor system as it is (Akka
    /// checks its own keys); not bound by <see cref="SettingsBinder"/>.</summary>
    [NotASetting]
    public AkkaSection Akka { get; init; } = AkkaSection.Empty;
}

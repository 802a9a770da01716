namespace Swarm.Node.Configuration;

/// <summary><c>network { ... }</c>: the peer transport's endpoint and limits.</summary>
public sealed record NetworkSettings : ISettingsSection
{
    [RequiredSetting("set network.listen-host to an address of this machine, e.g. \"0.0.0.0\" or \"127.0.0.1\"")]
    public string ListenHost { get; init; } = "";

    /// <summary>0 asks the operating system for a free port.</summary>
    [SettingRange(0, 65535)]
    public int ListenPort { get; init; }

    /// <summary>host:port peers should dial; empty means listen-host:listen-port.</summary>
    public string AdvertisedEndpoint { get; init; } = "";

    /// <summary>Akka.Remote (the cluster and actor messages) listens on the peer port plus this offset, on every
    /// member alike: a member's cluster port is its consortium endpoint's port plus this offset.</summary>
    [SettingRange(1, 60000)]
    public int ClusterPortOffset { get; init; }

    [SizeRange("1KiB", "1GiB")]
    public long FrameBytesMax { get; init; }

    [SettingRange(1, 1_000_000)]
    public int PeerOutboundQueueMessagesMax { get; init; }

    [DurationRange("1ms", "1h")]
    public TimeSpan ReconnectBackoffMin { get; init; }

    [DurationRange("1ms", "1h")]
    public TimeSpan ReconnectBackoffMax { get; init; }

    public IEnumerable<SettingsProblem> CheckTogether()
    {
        if (ReconnectBackoffMax < ReconnectBackoffMin)
        {
            yield return new SettingsProblem("reconnect-backoff-max", "is shorter than network.reconnect-backoff-min",
                "make reconnect-backoff-max at least reconnect-backoff-min");
        }
        if (AdvertisedEndpoint.Length > 0 && !IsHostPort(AdvertisedEndpoint))
        {
            yield return new SettingsProblem("advertised-endpoint", $"\"{AdvertisedEndpoint}\" is not host:port",
                "write it as host:port, e.g. \"node-a.example.org:7400\", or leave it empty");
        }
    }

    private static bool IsHostPort(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535;
    }
}

using Microsoft.Extensions.Configuration;

namespace Swarm.Node.Configuration;

/// <summary>Says where the effective value of a key came from: the provider that wins (the last one holding
/// the key) is asked for its origin.</summary>
public static class ConfigurationOrigins
{
    public static string? Describe(IConfigurationRoot root, string key)
    {
        var providers = root.Providers.Reverse().ToList();
        foreach (var provider in providers)
        {
            if (provider.TryGet(key, out _))
            {
                return provider is IConfigurationOriginProvider p && p.TryGetOrigin(key, out var origin) ? origin : provider.ToString();
            }
        }
        // A section has no value of its own; the HOCON provider still knows where its object was written.
        foreach (var provider in providers.OfType<IConfigurationOriginProvider>())
        {
            if (provider.TryGetOrigin(key, out var origin))
            {
                return origin;
            }
        }
        return null;
    }
}

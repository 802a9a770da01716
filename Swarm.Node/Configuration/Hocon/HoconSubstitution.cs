namespace Swarm.Node.Configuration.Hocon;

/// <summary>An unresolved <c>${path}</c> or <c>${?path}</c>. <see cref="RootLookup"/> is false for a
/// self-reference that found no earlier value: then only the environment can supply it.</summary>
internal sealed class HoconSubstitution(HoconPath path, bool optional, HoconOrigin origin, bool rootLookup = true) : HoconValue(origin)
{
    public HoconPath Path { get; } = path;

    public bool Optional { get; } = optional;

    public bool RootLookup { get; } = rootLookup;

    public override HoconValueKind Kind => HoconValueKind.Unresolved;

    public string Written => Optional ? $"${{?{Path}}}" : $"${{{Path}}}";

    public HoconSubstitution WithoutRootLookup() => new(Path, Optional, Origin, rootLookup: false);
}

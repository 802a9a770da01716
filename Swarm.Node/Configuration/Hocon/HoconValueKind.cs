namespace Swarm.Node.Configuration.Hocon;

/// <summary>The kind of a configuration value. <see cref="Unresolved"/> only occurs before resolution (a
/// substitution, a concatenation or a delayed merge that still contains one).</summary>
public enum HoconValueKind
{
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
    Unresolved,
}

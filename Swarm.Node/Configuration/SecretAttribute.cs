namespace Swarm.Node.Configuration;

/// <summary>Marks a setting whose value is a secret (password, connection string, key material): it is printed
/// as "&lt;redacted&gt;" by <c>swarm config show</c> and never logged. This attribute is the one place secrets are marked.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

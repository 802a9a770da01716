namespace Swarm.Node.Configuration;

/// <summary>The configuration does not bind to the settings records or fails their validation; carries every
/// error found, one per line of the message.</summary>
public sealed class SettingsException(IReadOnlyList<SettingsError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<SettingsError> Errors { get; } = errors;
}

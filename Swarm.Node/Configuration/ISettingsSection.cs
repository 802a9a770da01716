namespace Swarm.Node.Configuration;

/// <summary>A settings section with rules that involve several of its keys (a minimum below a maximum, a key
/// needed only for one store kind). Keys in the problems are relative to the section.</summary>
public interface ISettingsSection
{
    IEnumerable<SettingsProblem> CheckTogether();
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Swarm.Node.Configuration;

namespace Swarm.Node.Hosting;

/// <summary>Runs <see cref="SettingsValidator"/> as options validation; each failure names the file:line (or
/// variable, or switch), the key and the fix.</summary>
public sealed class NodeSettingsValidation(IConfigurationRoot configuration) : IValidateOptions<NodeSettings>
{
    public ValidateOptionsResult Validate(string? name, NodeSettings options)
    {
        var errors = SettingsValidator.Validate(options, configuration);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => e.ToString()));
    }
}

using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Swarm.Node.Configuration;

/// <summary>Checks bound settings against the rules declared on them (<see cref="RequiredSettingAttribute"/>,
/// <see cref="SettingRangeAttribute"/>, <see cref="DurationRangeAttribute"/>, <see cref="SizeRangeAttribute"/>)
/// and each section's <see cref="ISettingsSection.CheckTogether"/>; every error names where the value came from.</summary>
public static class SettingsValidator
{
    public static IReadOnlyList<SettingsError> Validate(object settings, IConfigurationRoot? configuration = null)
    {
        var errors = new List<SettingsError>();
        ValidateSection(settings, "", configuration, errors);
        return errors;
    }

    public static void ThrowIfInvalid(object settings, IConfigurationRoot? configuration = null)
    {
        var errors = Validate(settings, configuration);
        if (errors.Count > 0)
        {
            throw new SettingsException(errors);
        }
    }

    private static void ValidateSection(object section, string prefix, IConfigurationRoot? configuration, List<SettingsError> errors)
    {
        foreach (var property in SettingsProperty.Of(section.GetType()))
        {
            var key = prefix.Length == 0 ? property.Key : $"{prefix}.{property.Key}";
            var value = property.Info.GetValue(section);
            if (property.MapValueType is not null && value is System.Collections.IDictionary map)
            {
                foreach (System.Collections.DictionaryEntry entry in map)
                {
                    ValidateSection(entry.Value!, $"{key}.{entry.Key}", configuration, errors);
                }
                continue;
            }
            if (property.IsSection)
            {
                if (value is not null)
                {
                    ValidateSection(value, key, configuration, errors);
                }
                continue;
            }
            if (Check(property.Info, value) is { } broken)
            {
                errors.Add(new SettingsError(OriginOf(configuration, key), key, broken.Problem, broken.Fix));
            }
        }
        if (section is ISettingsSection rules)
        {
            foreach (var problem in rules.CheckTogether())
            {
                var key = prefix.Length == 0 ? problem.Key : $"{prefix}.{problem.Key}";
                errors.Add(new SettingsError(OriginOf(configuration, key), key, problem.Problem, problem.Fix));
            }
        }
    }

    private static (string Problem, string Fix)? Check(PropertyInfo property, object? value)
    {
        if (property.GetCustomAttribute<RequiredSettingAttribute>() is { } required && string.IsNullOrWhiteSpace(value as string))
        {
            return ("a value is required", required.Fix);
        }
        if (property.GetCustomAttribute<SettingRangeAttribute>() is { } range && value is IConvertible number)
        {
            var d = number.ToDouble(CultureInfo.InvariantCulture);
            if (d < range.Min || d > range.Max)
            {
                return ($"{Show(value, property)} is out of range", $"use a value from {Show(range.Min)} to {Show(range.Max)}");
            }
        }
        if (property.GetCustomAttribute<DurationRangeAttribute>() is { } durations && value is TimeSpan t && (t < durations.Min || t > durations.Max))
        {
            return ($"{Show(value, property)} is out of range", $"use a duration from {Show(durations.Min, property)} to {Show(durations.Max, property)}");
        }
        if (property.GetCustomAttribute<SizeRangeAttribute>() is { } sizes && value is long bytes && (bytes < sizes.Min || bytes > sizes.Max))
        {
            return ($"{Show(value, property)} is out of range", $"use a size from {Show(sizes.Min, property)} to {Show(sizes.Max, property)}");
        }
        return null;
    }

    private static string Show(object value, PropertyInfo property) => SettingsValueConverter.Format(value, property);

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? OriginOf(IConfigurationRoot? configuration, string dottedKey) =>
        configuration is null ? null : ConfigurationOrigins.Describe(configuration, dottedKey.Replace('.', ':'));
}

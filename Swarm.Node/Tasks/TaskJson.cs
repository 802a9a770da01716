using System.Text.Json;
using System.Text.Json.Serialization;

namespace Swarm.Node.Tasks;

/// <summary>How the task endpoints write and the CLI reads JSON: camelCase names, task states as strings.</summary>
public static class TaskJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}

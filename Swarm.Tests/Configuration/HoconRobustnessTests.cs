using Swarm.Node.Configuration.Hocon;

namespace Swarm.Tests.Configuration;

public sealed class HoconRobustnessTests
{
    private static readonly string[] Fragments =
    [
        "a", "b.c", "\"q\"", "\"\"\"t\"\"\"", "=", ":", "+=", "{", "}", "[", "]", ",", "\n", " ", "#c\n", "//c\n",
        "${a}", "${?b.c}", "${?SWARM_X}", "1", "-2.5e3", "true", "null", "5s", "64MiB", "include \"x.conf\"",
        "include required(\"y.conf\")", "$", "\\", "\"open", "@", "..", "\"\\u12\"", "${", "}}", "\r\n",
    ];

    [Fact]
    public void Random_text_either_loads_or_fails_with_a_configuration_error()
    {
        const int Seed = 20261122;
        var random = new Random(Seed);
        var env = Hocon.Env(new Dictionary<string, string> { ["SWARM_X"] = "x" });
        for (var run = 0; run < 3000; run++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 24)).Select(_ => Fragments[random.Next(Fragments.Length)]));
            try
            {
                var config = HoconLoader.LoadString(text, "fuzz.conf", Path.GetTempPath(), env);
                HoconRenderer.ToJson(config.Root);
                Hocon.Load(HoconRenderer.ToHocon(config.Root));
            }
            catch (HoconException)
            {
                // An expected fault: the text is not valid HOCON, and the error says where.
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {Seed}, run {run}: {e.GetType().Name} on {System.Text.Json.JsonSerializer.Serialize(text)}: {e.Message}");
            }
        }
    }
}

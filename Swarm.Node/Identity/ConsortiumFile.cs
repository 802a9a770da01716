using System.Globalization;
using System.Text;

namespace Swarm.Node.Identity;

/// <summary>Reads and writes the consortium file. It is HOCON-shaped, but this class understands only its one fixed
/// shape (<c>consortium { name = "...", version = N, members = [ { id, endpoint, fingerprint, signing-key }, ... ] }</c>), so it stays
/// self-contained and can be replaced by the general HOCON reader without touching its callers.</summary>
public static class ConsortiumFile
{
    public static Consortium Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConsortiumFormatException($"{path}: consortium file not found (create it with 'swarm consortium init')");
        }
        return Parse(File.ReadAllText(path), path);
    }

    public static void Save(string path, Consortium consortium)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Format(consortium));
        File.Move(temp, path, overwrite: true);
    }

    public static string Format(Consortium consortium)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        var text = new StringBuilder();
        text.Append("# Swarm consortium: the members, the pinned fingerprints of their TLS keys (SHA-256 of SPKI) and their\n");
        text.Append("# Ed25519 signing keys (base64, 32 bytes).\n");
        text.Append("consortium {\n");
        text.Append(CultureInfo.InvariantCulture, $"  name = {Quote(consortium.Name)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  # digest {consortium.Digest}\n");
        text.Append(CultureInfo.InvariantCulture, $"  version = {consortium.Version}\n");
        text.Append("  members = [\n");
        foreach (var m in consortium.Members)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"    {{ id = {Quote(m.Id)}, endpoint = {Quote(m.Endpoint)}, fingerprint = {Quote(m.Fingerprint)},\n");
            text.Append(CultureInfo.InvariantCulture, $"      signing-key = {Quote(m.SigningKey)} }}\n");
        }
        text.Append("  ]\n}\n");
        return text.ToString();
    }

    public static Consortium Parse(string text, string source)
    {
        var reader = new ConsortiumReader(text, source);
        return reader.ReadDocument();
    }

    private static string Quote(string value)
    {
        var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return $"\"{escaped}\"";
    }
}

using System.Text;
using Swarm.Learning.Data;

namespace Swarm.Node.Data;

/// <summary>One data row of a labels CSV: the image's path as written, its label and split (null without a split
/// column), and the line it is on (the header is line 1).</summary>
public sealed record LabelsRow(int Line, string File, string Label, string? Split);

/// <summary>Reads the labels CSV of an image folder: a header naming the columns <c>file</c> and <c>label</c> (and
/// <c>split</c> when the entry reads splits from it), in any order, other columns ignored; then one row per image.
/// Fields are separated by commas and may be quoted with <c>"</c> (<c>""</c> inside quotes is one quote); blank lines
/// are skipped. Every problem names the file and the line.</summary>
public static class LabelsCsv
{
    /// <summary>The largest labels file read (a million rows of generous length).</summary>
    public const long FileBytesMax = 256L * 1024 * 1024;

    public static IReadOnlyList<LabelsRow> Read(string path, bool needSplit)
    {
        string[] lines;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new DataSetException($"{path}: no such labels file");
            }
            if (info.Length > FileBytesMax)
            {
                throw new DataSetException($"{path}: {info.Length} bytes, more than the {FileBytesMax} a labels file may have");
            }
            lines = File.ReadAllLines(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataSetException($"{path}: cannot read the labels file: {e.Message}", e);
        }
        if (lines.Length == 0 || lines[0].Trim().Length == 0)
        {
            throw new DataSetException($"{path}: empty; the first line must be a header such as file,label{(needSplit ? ",split" : "")}");
        }
        var header = Fields(path, 1, lines[0].TrimStart('\uFEFF')).Select(h => h.Trim().ToLowerInvariant()).ToList();
        var file = Column(path, header, "file");
        var label = Column(path, header, "label");
        var split = needSplit ? Column(path, header, "split") : -1;
        var rows = new List<LabelsRow>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }
            var line = i + 1;
            var fields = Fields(path, line, lines[i]);
            if (fields.Count != header.Count)
            {
                throw new DataSetException($"{path} line {line}: {fields.Count} fields, but the header has {header.Count}");
            }
            rows.Add(new LabelsRow(line, fields[file].Trim(), fields[label].Trim(), split < 0 ? null : fields[split].Trim()));
        }
        if (rows.Count == 0)
        {
            throw new DataSetException($"{path}: a header but no image rows");
        }
        return rows;
    }

    private static int Column(string path, List<string> header, string name)
    {
        var index = header.IndexOf(name);
        return index >= 0 ? index
            : throw new DataSetException($"{path} line 1: the header ({string.Join(",", header)}) has no '{name}' column");
    }

    /// <summary>The fields of one line, quotes removed.</summary>
    private static List<string> Fields(string path, int line, string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            throw new DataSetException($"{path} line {line}: a quote is opened and not closed");
        }
        fields.Add(field.ToString());
        return fields;
    }
}

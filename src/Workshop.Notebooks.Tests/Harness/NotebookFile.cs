using System.Text.Json;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using DocumentKernelInfo = Microsoft.DotNet.Interactive.Documents.KernelInfo;

namespace Workshop.Notebooks.Tests.Harness;

/// <summary>What a cell is in the .ipynb file (nbformat's <c>cell_type</c>).</summary>
public enum NotebookCellType
{
    Code,
    Markdown,
    Raw,
}

/// <summary>
/// One cell of a notebook as committed. <see cref="Index"/> is the 0-based position in the file's
/// <c>cells</c> array (markdown cells count too), the number every harness message uses.
/// </summary>
/// <param name="KernelName">
/// The kernel the cell is meant for, as the .NET Interactive document parser resolved it from the cell
/// metadata (<c>polyglot_notebook.kernelName</c> or <c>dotnet_interactive.language</c>); when the cell
/// names none (a cell carrying only VS Code metadata) it is the notebook's default kernel, else
/// <c>csharp</c>. Never empty for a code cell.
/// </param>
public sealed record NotebookCell(int Index, NotebookCellType CellType, string KernelName, string Source, int OutputCount)
{
    /// <summary>The first <paramref name="maxLines"/> lines of the source, for messages.</summary>
    public string SourcePreview(int maxLines = 5)
    {
        var lines = Source.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        var head = string.Join(Environment.NewLine, lines.Take(maxLines).Select(l => "    " + l));
        return lines.Length > maxLines ? head + Environment.NewLine + $"    ... ({lines.Length - maxLines} more lines)" : head;
    }
}

/// <summary>
/// A notebook read from disk: the document parsed by Microsoft.DotNet.Interactive.Documents (kernel
/// names, cell text) joined with the raw nbformat JSON (cell types and outputs, which the parser does
/// not keep apart: a raw cell parses like a code cell with no kernel name).
/// </summary>
public sealed class NotebookFile
{
    public const string CSharpKernelName = "csharp";

    private static readonly string[] CSharpKernelNames = ["csharp", "c#", "cs", ".net-csharp"];

    private NotebookFile(string path, string defaultKernelName, IReadOnlyList<NotebookCell> cells)
    {
        Path = path;
        DefaultKernelName = defaultKernelName;
        Cells = cells;
    }

    public string Path { get; }

    public string FileName => System.IO.Path.GetFileName(Path);

    public string DefaultKernelName { get; }

    public IReadOnlyList<NotebookCell> Cells { get; }

    public static bool IsCSharpKernel(string kernelName) =>
        CSharpKernelNames.Contains(kernelName.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads and parses <paramref name="path"/>; throws <see cref="InvalidDataException"/> when it is no nbformat 4 notebook.</summary>
    public static async Task<NotebookFile> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var text = await File.ReadAllTextAsync(fullPath, cancellationToken);

        var rawCells = ReadRawCells(fullPath, text, out var defaultKernelName);

        InteractiveDocument document;
        try
        {
            document = Notebook.Parse(text, KernelInfos());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{System.IO.Path.GetFileName(fullPath)}: the .NET Interactive parser rejected the notebook: {e.Message}", e);
        }

        if (document.Elements.Count != rawCells.Count)
        {
            throw new InvalidDataException(
                $"{System.IO.Path.GetFileName(fullPath)}: the .NET Interactive parser found {document.Elements.Count} cells but the file has {rawCells.Count}; cannot map cell indexes.");
        }

        var cells = new List<NotebookCell>(rawCells.Count);
        for (var i = 0; i < rawCells.Count; i++)
        {
            var (cellType, outputCount) = rawCells[i];
            var element = document.Elements[i];
            var kernelName = string.IsNullOrWhiteSpace(element.KernelName) ? defaultKernelName : element.KernelName.Trim();
            cells.Add(new NotebookCell(i, cellType, kernelName, element.Contents ?? string.Empty, outputCount));
        }

        return new NotebookFile(fullPath, defaultKernelName, cells);
    }

    private static KernelInfoCollection KernelInfos()
    {
        var kernelInfos = new KernelInfoCollection
        {
            new DocumentKernelInfo(CSharpKernelName, "C#", ["c#", "C#"]),
        };
        kernelInfos.DefaultKernelName = CSharpKernelName;
        return kernelInfos;
    }

    private static List<(NotebookCellType CellType, int OutputCount)> ReadRawCells(string path, string text, out string defaultKernelName)
    {
        var fileName = System.IO.Path.GetFileName(path);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{fileName}: not valid JSON: {e.Message}", e);
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("cells", out var cellsElement)
                || cellsElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{fileName}: not an nbformat 4 notebook (no \"cells\" array).");
            }

            if (root.TryGetProperty("nbformat", out var nbformat) && nbformat.ValueKind == JsonValueKind.Number && nbformat.GetInt32() != 4)
            {
                throw new InvalidDataException($"{fileName}: nbformat {nbformat.GetInt32()} is not supported (expected 4).");
            }

            defaultKernelName = ReadDefaultKernelName(root) ?? CSharpKernelName;

            var cells = new List<(NotebookCellType, int)>();
            foreach (var cell in cellsElement.EnumerateArray())
            {
                var cellType = cell.TryGetProperty("cell_type", out var type) && type.ValueKind == JsonValueKind.String
                    ? type.GetString()
                    : null;
                var outputCount = cell.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array
                    ? outputs.GetArrayLength()
                    : 0;
                cells.Add((cellType switch
                {
                    "markdown" => NotebookCellType.Markdown,
                    "raw" => NotebookCellType.Raw,
                    _ => NotebookCellType.Code,
                }, outputCount));
            }

            return cells;
        }
    }

    // metadata.polyglot_notebook.kernelInfo.defaultKernelName, as VS Code writes it.
    private static string? ReadDefaultKernelName(JsonElement root)
    {
        if (root.TryGetProperty("metadata", out var metadata)
            && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("polyglot_notebook", out var polyglot)
            && polyglot.ValueKind == JsonValueKind.Object
            && polyglot.TryGetProperty("kernelInfo", out var kernelInfo)
            && kernelInfo.ValueKind == JsonValueKind.Object
            && kernelInfo.TryGetProperty("defaultKernelName", out var name)
            && name.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(name.GetString()))
        {
            return name.GetString()!.Trim();
        }

        return null;
    }
}

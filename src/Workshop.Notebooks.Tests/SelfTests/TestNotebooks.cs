using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests.SelfTests;

/// <summary>Builds nbformat 4 notebooks in the shape VS Code's Polyglot Notebooks writes them.</summary>
internal static class TestNotebooks
{
    public static JsonObject Notebook(params JsonObject[] cells) => new()
    {
        ["cells"] = new JsonArray(cells.Select(c => (JsonNode)c).ToArray()),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
            ["polyglot_notebook"] = new JsonObject
            {
                ["kernelInfo"] = new JsonObject
                {
                    ["defaultKernelName"] = "csharp",
                    ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                },
            },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 2,
    };

    /// <summary>A code cell for the kernel named in polyglot_notebook metadata (as VS Code writes it).</summary>
    public static JsonObject Cell(string kernelName, string source) =>
        CodeCell(source, new JsonObject
        {
            ["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernelName },
            ["vscode"] = new JsonObject { ["languageId"] = "polyglot-notebook" },
        });

    public static JsonObject CSharpCell(string source) => Cell("csharp", source);

    public static JsonObject CodeCell(string source, JsonObject metadata) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = null,
        ["metadata"] = metadata,
        ["outputs"] = new JsonArray(),
        ["source"] = Lines(source),
    };

    public static JsonObject MarkdownCell(string source) => new()
    {
        ["cell_type"] = "markdown",
        ["metadata"] = new JsonObject(),
        ["source"] = Lines(source),
    };

    public static JsonObject RawCell(string source) => new()
    {
        ["cell_type"] = "raw",
        ["metadata"] = new JsonObject(),
        ["source"] = Lines(source),
    };

    /// <summary>The cell as if it had been run and saved: an execution count and a stdout output.</summary>
    public static JsonObject WithOutput(this JsonObject cell, string text)
    {
        cell["execution_count"] = 1;
        cell["outputs"] = new JsonArray(new JsonObject
        {
            ["name"] = "stdout",
            ["output_type"] = "stream",
            ["text"] = Lines(text),
        });
        return cell;
    }

    // nbformat keeps source as a list of lines, each but the last ending in "\n".
    private static JsonArray Lines(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        return new JsonArray(lines.Select((line, i) => (JsonNode)JsonValue.Create(i < lines.Length - 1 ? line + "\n" : line)!).ToArray());
    }

    public static string ToJson(this JsonObject notebook) =>
        notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}

/// <summary>A temporary folder outside the repository for the notebooks a self-test writes.</summary>
internal sealed class TempNotebookFolder : IDisposable
{
    public TempNotebookFolder()
    {
        Path = Directory.CreateTempSubdirectory("workshop-notebook-selftest-").FullName;
    }

    public string Path { get; }

    public string Write(string fileName, JsonObject notebook) => WriteText(fileName, notebook.ToJson());

    public string WriteText(string fileName, string json)
    {
        var path = System.IO.Path.Combine(Path, fileName);
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // An assembly loaded from the folder by a notebook may still be mapped; leave it to the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

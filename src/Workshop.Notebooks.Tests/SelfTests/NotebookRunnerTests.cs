using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Workshop.Notebooks.Tests.Harness;
using Xunit.Abstractions;
using static Workshop.Notebooks.Tests.SelfTests.TestNotebooks;

namespace Workshop.Notebooks.Tests.SelfTests;

/// <summary>
/// Proves the harness can fail: small notebooks written to a temp folder go through the same
/// <see cref="NotebookRunner"/> that runs the repository's notebooks.
/// </summary>
// The runner's own tests assert what cells print and how they fail, never how fast: test.sh runs them beside.
[Trait("Schedule", "Beside")]
[Collection(NotebookCollection.Name)]
public sealed class NotebookRunnerTests(ITestOutputHelper output) : IDisposable
{
    // A small package with no dependencies, at its version in the registry list (nuget.tsv).
    private const string SmallPackage = "Ardalis.GuardClauses";
    private const string SmallPackageVersion = "5.0.0";

    private readonly TempNotebookFolder _folder = new();
    private readonly List<string> _log = [];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Runner_PolyglotNotebookAsVsCodeWritesIt_Succeeds()
    {
        // Arrange: the exact shape the workshop's notebooks are committed in.
        var path = _folder.WriteText("vscode.ipynb", """
            {
             "cells": [
              {
               "cell_type": "markdown",
               "metadata": {},
               "source": [
                "# Lab 01\n",
                "Narrative first."
               ]
              },
              {
               "cell_type": "code",
               "execution_count": null,
               "metadata": {
                "dotnet_interactive": {
                 "language": "csharp"
                },
                "polyglot_notebook": {
                 "kernelName": "csharp"
                },
                "vscode": {
                 "languageId": "polyglot-notebook"
                }
               },
               "outputs": [],
               "source": [
                "using System.Diagnostics;\n",
                "var started = Stopwatch.StartNew();\n",
                "var orders = new List<int> { 1, 2, 3 };"
               ]
              },
              {
               "cell_type": "code",
               "execution_count": null,
               "metadata": {
                "polyglot_notebook": {
                 "kernelName": "csharp"
                }
               },
               "outputs": [],
               "source": [
                "Console.WriteLine($\"{orders.Count} orders\");\n",
                "orders.Sum()"
               ]
              }
             ],
             "metadata": {
              "kernelspec": {
               "display_name": ".NET (C#)",
               "language": "C#",
               "name": ".net-csharp"
              },
              "language_info": {
               "name": "polyglot-notebook"
              },
              "polyglot_notebook": {
               "kernelInfo": {
                "defaultKernelName": "csharp",
                "items": [
                 {
                  "aliases": [],
                  "name": "csharp"
                 }
                ]
               }
              }
             },
             "nbformat": 4,
             "nbformat_minor": 2
            }
            """);

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeTrue($"a clean C# notebook should pass:{Environment.NewLine}{result.Describe()}");
        result.CellRuns.Select(c => c.Index).Should().Equal([1, 2], "both code cells run, in file order; the markdown cell does not");
        result.CellRuns[1].Outputs.Should().Equal(["stdout: 3 orders", "return: 6"], "state carries from cell to cell in one kernel");
    }

    [Fact]
    public async Task Runner_CellThatThrows_FailsNamingNotebookCellSourceAndError()
    {
        // Arrange
        var path = _folder.Write("throws.ipynb", Notebook(
            MarkdownCell("# Throws"),
            CSharpCell("var x = 1;"),
            CSharpCell("// blow up on purpose\nthrow new InvalidOperationException(\"boom from the notebook\");"),
            CSharpCell("Console.WriteLine(\"never reached\");")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeFalse("a cell threw");
        result.Problems.Should().ContainSingle().Which.Should()
            .Contain("throws.ipynb").And
            .Contain("cell 2 (0-based) failed").And
            .Contain("// blow up on purpose", "the message quotes the first lines of the cell").And
            .Contain("InvalidOperationException: boom from the notebook");
        result.CellRuns.Select(c => c.Index).Should().Equal([1, 2], "the run stops at the failing cell");
    }

    [Fact]
    public async Task Runner_CellThatDoesNotCompile_FailsWithDiagnostics()
    {
        // Arrange
        var path = _folder.Write("compile.ipynb", Notebook(
            CSharpCell("var fine = 1;"),
            CSharpCell("var broken = undefinedName + 1;")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeFalse("a cell does not compile");
        result.Problems.Should().ContainSingle().Which.Should()
            .Contain("cell 1 (0-based) failed").And
            .Contain("var broken = undefinedName + 1;").And
            .Contain("error CS0103 at line 1, column 14: The name 'undefinedName' does not exist in the current context");
    }

    [Fact]
    public async Task Runner_TopLevelUsingVar_FailsToCompile()
    {
        // Arrange: documents a limit notebook authors hit; write `using (var ...) { }` or dispose by hand.
        var path = _folder.Write("usingvar.ipynb", Notebook(CSharpCell("using var stream = new System.IO.MemoryStream();")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeFalse("top-level `using var` does not compile in a script submission");
        result.Problems.Should().ContainSingle().Which.Should().Contain("cell 0 (0-based) failed");
    }

    [Theory]
    [InlineData("fsharp")]
    [InlineData("pwsh")]
    [InlineData("sql")]
    [InlineData("javascript")]
    [InlineData("mystery")]
    public async Task Runner_CellForAnotherKernel_FailsNamingCellAndKernel(string kernelName)
    {
        // Arrange
        var path = _folder.Write("other.ipynb", Notebook(
            CSharpCell("var x = 1;"),
            Cell(kernelName, "some code for another kernel")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeFalse($"a cell for kernel '{kernelName}' cannot run in the C# harness");
        result.Problems.Should().ContainSingle().Which.Should()
            .Contain($"cell 1 (0-based) is for kernel '{kernelName}'").And
            .Contain("some code for another kernel");
        result.CellRuns.Should().BeEmpty("the committed file is checked before anything runs");
    }

    [Fact]
    public async Task Runner_CellWithLegacyDotnetInteractiveLanguage_UsesThatKernel()
    {
        // Arrange: notebooks written before Polyglot Notebooks name the kernel this way.
        var path = _folder.Write("legacy.ipynb", Notebook(
            CodeCell("Get-Date", new JsonObject { ["dotnet_interactive"] = new JsonObject { ["language"] = "pwsh" } })));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Problems.Should().ContainSingle().Which.Should().Contain("cell 0 (0-based) is for kernel 'pwsh'");
    }

    [Fact]
    public async Task Runner_KernelMagicForAnotherLanguage_Fails()
    {
        // Arrange: a C# cell that switches language with a magic command.
        var path = _folder.Write("magic.ipynb", Notebook(CSharpCell("#!fsharp\nlet x = 1")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Problems.Should().ContainSingle().Which.Should()
            .Contain("cell 0 (0-based) failed").And
            .Contain("Unknown magic command '#!fsharp'");
    }

    [Fact]
    public async Task Runner_CellWithOnlyVsCodeMetadata_RunsAsCSharp()
    {
        // Arrange: no kernel name at all, only VS Code's language id; and no metadata at all.
        var path = _folder.Write("vscode-only.ipynb", Notebook(
            CodeCell("var marker = \"ran as C#\";", new JsonObject { ["vscode"] = new JsonObject { ["languageId"] = "polyglot-notebook" } }),
            CodeCell("marker.ToUpperInvariant()", new JsonObject())));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeTrue($"cells naming no kernel run in the default C# kernel:{Environment.NewLine}{result.Describe()}");
        result.CellRuns.Select(c => c.Index).Should().Equal([0, 1], "neither cell is skipped");
        result.CellRuns[1].Outputs.Should().Equal(["return: RAN AS C#"]);
    }

    [Fact]
    public async Task Runner_NotebookWithOutputs_IsRejectedNamingTheCells()
    {
        // Arrange
        var path = _folder.Write("outputs.ipynb", Notebook(
            MarkdownCell("# Saved after a run"),
            CSharpCell("Console.WriteLine(1);").WithOutput("1"),
            CSharpCell("var y = 2;"),
            CSharpCell("Console.WriteLine(3);").WithOutput("3")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeFalse("notebooks are committed with outputs cleared");
        result.Problems.Should().ContainSingle().Which.Should()
            .Contain("outputs.ipynb: cells 1, 3 (0-based) carry outputs").And
            .Contain("tools/clear-notebook-outputs");
        result.CellRuns.Should().BeEmpty("the committed file is checked before anything runs");
    }

    [Fact]
    public async Task Runner_MarkdownAndRawCells_AreNotRun()
    {
        // Arrange
        var path = _folder.Write("text.ipynb", Notebook(
            MarkdownCell("This is not C# at all"),
            RawCell("neither is this"),
            CSharpCell("1 + 1")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeTrue(result.Describe());
        result.CellRuns.Select(c => c.Index).Should().Equal([2], "only the code cell runs");
    }

    [Fact]
    public async Task Runner_CellOutputs_AreCapturedAndLogged()
    {
        // Arrange
        var path = _folder.Write("display.ipynb", Notebook(
            CSharpCell("Console.WriteLine(\"  printed  \");\ndisplay(\"shown\");\nConsole.Error.WriteLine(\"warned\");\n40 + 2")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeTrue(result.Describe());
        result.CellRuns.Should().ContainSingle().Which.Outputs.Should().Equal(
            ["stdout: printed", "display: shown", "stderr: warned", "return: 42"],
            "standard output, display(), standard error and the return value are all reported, trimmed");
        _log.Should().Contain(["[display.ipynb cell 0]", "  stdout: printed", "  return: 42"], "the log (ITestOutputHelper in tests) shows what each cell printed");
    }

    [Fact]
    public async Task Runner_CellOverTimeout_FailsNamingTheCell()
    {
        // Arrange
        // The limit leaves the first cell room for the kernel's cold start (several seconds on a busy 2-core machine,
        // where 0.5 s once failed the quick cell); the second cell outlives it six times over.
        var path = _folder.Write("slow.ipynb", Notebook(
            CSharpCell("var quick = 1;"),
            CSharpCell("await Task.Delay(TimeSpan.FromSeconds(60));")));
        var runner = Runner(TimeSpan.FromSeconds(10));

        // Act
        var result = await runner.RunAsync(path);

        // Assert
        result.Succeeded.Should().BeFalse("the second cell outlives its timeout");
        result.Problems.Should().ContainSingle().Which.Should()
            .Contain("slow.ipynb: cell 1 (0-based) timed out after 10 s").And
            .Contain(NotebookRunnerOptions.CellTimeoutVariable);
    }

    [Fact]
    public async Task Runner_WhileRunning_CurrentDirectoryIsNotebookFolderAndRestoredAfter()
    {
        // Arrange
        var before = Directory.GetCurrentDirectory();
        var path = _folder.Write("cwd.ipynb", Notebook(CSharpCell("System.IO.Directory.GetCurrentDirectory()")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeTrue(result.Describe());
        result.CellRuns.Should().ContainSingle().Which.Outputs.Should().Equal([$"return: {_folder.Path}"], "cells run in the notebook's folder, as in VS Code");
        Directory.GetCurrentDirectory().Should().Be(before, "the runner restores the current directory");
    }

    [Fact]
    public async Task Runner_RelativeDllReference_ResolvesAgainstNotebookFolder()
    {
        // Arrange: a tiny library compiled now into <notebook folder>/lib.
        var assemblyName = "NotebookSelfTest" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "lib"));
        CompileLibrary(Path.Combine(_folder.Path, "lib", assemblyName + ".dll"), assemblyName,
            $"namespace {assemblyName} {{ public static class Greeter {{ public static string Hello() => \"hello from lib\"; }} }}");
        var path = _folder.Write("relative.ipynb", Notebook(
            CSharpCell($"#r \"lib/{assemblyName}.dll\""),
            CSharpCell($"{assemblyName}.Greeter.Hello()")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeTrue($"#r with a path relative to the notebook should load:{Environment.NewLine}{result.Describe()}");
        result.CellRuns[1].Outputs.Should().Equal(["return: hello from lib"]);
    }

    [Fact]
    public async Task Runner_NugetReference_LoadsPinnedPackage()
    {
        // Arrange: the kernel restores through its own `dotnet restore` (registry, or the local package cache).
        // The package is one the harness does not ship itself: under `dotnet test` a package the harness
        // already carries (e.g. Humanizer.Core 2.14.1, a .NET Interactive dependency) binds to the harness's copy.
        var path = _folder.Write("nuget.ipynb", Notebook(
            CSharpCell($"#r \"nuget: {SmallPackage}, {SmallPackageVersion}\""),
            CSharpCell("using Ardalis.GuardClauses;\nGuard.Against.NullOrEmpty(\"orders\", \"name\")"),
            CSharpCell("typeof(Ardalis.GuardClauses.Guard).Assembly.Location")));

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Succeeded.Should().BeTrue($"#r \"nuget: ...\" should restore and load the package:{Environment.NewLine}{result.Describe()}");
        result.CellRuns[1].Outputs.Should().Equal(["return: orders"]);
        result.CellRuns[2].Outputs.Should().ContainSingle().Which.Should().Contain(
            $"{SmallPackage.ToLowerInvariant()}{Path.DirectorySeparatorChar}{SmallPackageVersion}{Path.DirectorySeparatorChar}",
            "the pinned version is loaded from the package cache");
    }

    [Fact]
    public async Task Runner_FileThatIsNotANotebook_FailsClearly()
    {
        // Arrange
        var path = _folder.WriteText("broken.ipynb", "{ \"not\": \"a notebook\" }");

        // Act
        var result = await Runner().RunAsync(path);

        // Assert
        result.Problems.Should().ContainSingle().Which.Should().Contain("broken.ipynb: could not be read").And.Contain("no \"cells\" array");
    }

    private NotebookRunner Runner(TimeSpan? cellTimeout = null) => new(new NotebookRunnerOptions
    {
        CellTimeout = cellTimeout ?? NotebookRunnerOptions.DefaultCellTimeout,
        Log = line =>
        {
            lock (_log)
            {
                _log.Add(line);
            }

            output.WriteLine(line);
        },
    });

    private static void CompileLibrary(string path, string assemblyName, string source)
    {
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var compilation = CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source)],
            [
                MetadataReference.CreateFromFile(typeof(object).Assembly.Location),
                MetadataReference.CreateFromFile(Path.Combine(runtimeDirectory, "System.Runtime.dll")),
            ],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var emitted = compilation.Emit(path);
        emitted.Success.Should().BeTrue(string.Join(Environment.NewLine, emitted.Diagnostics));
    }
}

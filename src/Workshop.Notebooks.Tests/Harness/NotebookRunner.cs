using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Workshop.Notebooks.Tests.Harness;

/// <summary>Settings of a <see cref="NotebookRunner"/>.</summary>
public sealed record NotebookRunnerOptions
{
    public const string CellTimeoutVariable = "NOTEBOOK_CELL_TIMEOUT_SECONDS";

    public static readonly TimeSpan DefaultCellTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long one cell may run before the notebook fails.</summary>
    public TimeSpan CellTimeout { get; init; } = DefaultCellTimeout;

    /// <summary>Where what the cells print goes (one line per displayed value), e.g. ITestOutputHelper.WriteLine.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Options with the cell timeout from NOTEBOOK_CELL_TIMEOUT_SECONDS when set.</summary>
    public static NotebookRunnerOptions FromEnvironment(Action<string>? log = null)
    {
        var raw = Environment.GetEnvironmentVariable(CellTimeoutVariable);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new NotebookRunnerOptions { Log = log };
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            throw new InvalidOperationException($"{CellTimeoutVariable}='{raw}' is not a positive number of seconds.");
        }

        return new NotebookRunnerOptions { CellTimeout = TimeSpan.FromSeconds(seconds), Log = log };
    }
}

/// <summary>What one executed code cell showed.</summary>
/// <param name="Outputs">Displayed values, return values, standard output and error, in order, as plain text.</param>
public sealed record CellRun(int Index, IReadOnlyList<string> Outputs, TimeSpan Elapsed, bool Succeeded);

/// <summary>The outcome of one notebook run. <see cref="Problems"/> is empty when every cell passed.</summary>
public sealed record NotebookRunResult(string NotebookPath, IReadOnlyList<string> Problems, IReadOnlyList<CellRun> CellRuns, TimeSpan Elapsed)
{
    public bool Succeeded => Problems.Count == 0;

    public string NotebookName => Path.GetFileName(NotebookPath);

    /// <summary>Every problem, ready for an assertion message.</summary>
    public string Describe() =>
        Succeeded
            ? $"{NotebookName}: {CellRuns.Count} code cells passed in {Elapsed.TotalSeconds:0.0} s " +
              $"(cells, in s: {string.Join(", ", CellRuns.Select(c => c.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)))})."
            : string.Join(Environment.NewLine + Environment.NewLine, Problems);
}

/// <summary>
/// Runs a Polyglot (.NET Interactive) notebook headless, the way CI checks the workshop's notebooks:
/// checks the committed file first (no outputs, only C# code cells), then submits every code cell in
/// file order to one fresh C# kernel, with the process current directory set to the notebook's folder,
/// and stops at the first failing or timed-out cell. Markdown and raw cells are not run.
/// Runs are serialised process-wide, since the current directory is process-wide.
/// </summary>
public sealed class NotebookRunner(NotebookRunnerOptions options)
{
    private const int MaxOutputChars = 4000;

    private static readonly SemaphoreSlim ProcessWideGate = new(1, 1);

    private readonly NotebookRunnerOptions _options = options;

    public NotebookRunner()
        : this(new NotebookRunnerOptions())
    {
    }

    /// <summary>A composite kernel holding one C# kernel with <c>#r "nuget: ..."</c> and the kernel helpers (display(), ...).</summary>
    public static CompositeKernel CreateKernel()
    {
        var csharp = new CSharpKernel()
            .UseKernelHelpers()
            .UseValueSharing()
            .UseNugetDirective(
                (kernel, references) =>
                {
                    kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                    return Task.CompletedTask;
                });

        var composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = csharp.Name;
        return composite;
    }

    public async Task<NotebookRunResult> RunAsync(string notebookPath, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var fullPath = Path.GetFullPath(notebookPath);
        var name = Path.GetFileName(fullPath);

        NotebookFile notebook;
        try
        {
            notebook = await NotebookFile.ReadAsync(fullPath, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new NotebookRunResult(fullPath, [$"{name}: could not be read: {e.Message}"], [], stopwatch.Elapsed);
        }

        var problems = CheckCommittedFile(notebook);
        if (problems.Count > 0)
        {
            return new NotebookRunResult(fullPath, problems, [], stopwatch.Elapsed);
        }

        await ProcessWideGate.WaitAsync(cancellationToken);
        var previousDirectory = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(Path.GetDirectoryName(fullPath)!);
            var (runProblems, cellRuns) = await RunCellsAsync(notebook, cancellationToken);
            return new NotebookRunResult(fullPath, runProblems, cellRuns, stopwatch.Elapsed);
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
            ProcessWideGate.Release();
        }
    }

    /// <summary>The problems visible without running anything: outputs left in the file, cells for another kernel.</summary>
    public static IReadOnlyList<string> CheckCommittedFile(NotebookFile notebook)
    {
        var problems = new List<string>();

        var withOutputs = notebook.Cells.Where(c => c.OutputCount > 0).Select(c => c.Index).ToList();
        if (withOutputs.Count > 0)
        {
            problems.Add(
                $"{notebook.FileName}: cells {string.Join(", ", withOutputs)} (0-based) carry outputs; notebooks are committed with outputs cleared "
                + "(run tools/clear-notebook-outputs).");
        }

        foreach (var cell in notebook.Cells.Where(c => c.CellType == NotebookCellType.Code && !NotebookFile.IsCSharpKernel(c.KernelName)))
        {
            problems.Add(
                $"{notebook.FileName}: cell {cell.Index} (0-based) is for kernel '{cell.KernelName}'; only C# cells can run here."
                + Environment.NewLine + cell.SourcePreview());
        }

        return problems;
    }

    private async Task<(IReadOnlyList<string> Problems, IReadOnlyList<CellRun> CellRuns)> RunCellsAsync(NotebookFile notebook, CancellationToken cancellationToken)
    {
        var cellRuns = new List<CellRun>();
        var kernel = CreateKernel();
        var sink = new EventSink();
        using var subscription = kernel.KernelEvents.Subscribe(sink);
        try
        {
            foreach (var cell in notebook.Cells.Where(c => c.CellType == NotebookCellType.Code))
            {
                if (string.IsNullOrWhiteSpace(cell.Source))
                {
                    continue;
                }

                Log($"[{notebook.FileName} cell {cell.Index}]");
                var (problem, run) = await RunCellAsync(kernel, sink, notebook, cell, cancellationToken);
                cellRuns.Add(run);
                if (problem is not null)
                {
                    return ([problem], cellRuns);
                }
            }

            return ([], cellRuns);
        }
        finally
        {
            sink.Stop();
            await DisposeAsync(kernel);
        }
    }

    private async Task<(string? Problem, CellRun Run)> RunCellAsync(
        CompositeKernel kernel, EventSink sink, NotebookFile notebook, NotebookCell cell, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var command = new SubmitCode(cell.Source, NotebookFile.CSharpKernelName);
        var outputs = sink.Start(line => Log($"  {line}"));

        using var cancelCell = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var send = kernel.SendAsync(command, cancelCell.Token);
        var finished = await Task.WhenAny(send, Task.Delay(_options.CellTimeout, cancellationToken));
        if (finished != send)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await cancelCell.CancelAsync();
            sink.Stop();
            var timeoutProblem = Header(notebook, cell, $"timed out after {_options.CellTimeout.TotalSeconds:0.#} s ({NotebookRunnerOptions.CellTimeoutVariable} sets the limit)");
            return (timeoutProblem, new CellRun(cell.Index, outputs.Snapshot(), stopwatch.Elapsed, Succeeded: false));
        }

        var result = await send;
        sink.Stop();
        var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
        var run = new CellRun(cell.Index, outputs.Snapshot(), stopwatch.Elapsed, Succeeded: failed is null);
        if (failed is null)
        {
            return (null, run);
        }

        var message = new StringBuilder(Header(notebook, cell, "failed"));
        message.AppendLine().Append("  error: ").Append(Indent(Truncate(failed.Message), "    ").TrimStart());
        var diagnostics = result.Events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics).Distinct().ToList();
        foreach (var diagnostic in diagnostics)
        {
            message.AppendLine().Append(
                $"  {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Code} at line {diagnostic.LinePositionSpan.Start.Line + 1}, "
                + $"column {diagnostic.LinePositionSpan.Start.Character + 1}: {diagnostic.Message}");
        }

        var stderr = run.Outputs.Where(o => o.StartsWith("stderr: ", StringComparison.Ordinal)).ToList();
        foreach (var line in stderr)
        {
            message.AppendLine().Append("  ").Append(line);
        }

        return (message.ToString(), run);
    }

    private static string Header(NotebookFile notebook, NotebookCell cell, string what) =>
        $"{notebook.FileName}: cell {cell.Index} (0-based) {what}:" + Environment.NewLine + cell.SourcePreview();

    private void Log(string line)
    {
        try
        {
            _options.Log?.Invoke(line);
        }
        catch (InvalidOperationException)
        {
            // The test that owned the output helper has finished (a timed-out cell still printing).
        }
    }

    private static async Task DisposeAsync(Kernel kernel)
    {
        // A timed-out cell may still hold the kernel; do not let disposal hang the run.
        var dispose = Task.Run(kernel.Dispose);
        await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(10)));
    }

    private static string Truncate(string text) =>
        text.Length <= MaxOutputChars ? text : text[..MaxOutputChars] + $" ... ({text.Length - MaxOutputChars} more characters)";

    private static string Indent(string text, string indent) =>
        string.Join(Environment.NewLine, text.ReplaceLineEndings("\n").TrimEnd().Split('\n').Select(l => indent + l));

    /// <summary>Turns a display event into one trimmed line of plain text.</summary>
    internal static string? ToPlainText(DisplayEvent displayEvent)
    {
        var kind = displayEvent switch
        {
            StandardOutputValueProduced => "stdout",
            StandardErrorValueProduced => "stderr",
            ReturnValueProduced => "return",
            _ => "display",
        };

        var text = displayEvent.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value;
        if (text is null && displayEvent.Value is not null)
        {
            try
            {
                text = displayEvent.Value.ToDisplayString(PlainTextFormatter.MimeType);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                text = displayEvent.Value.ToString();
            }
        }

        if (text is null)
        {
            var html = displayEvent.FormattedValues.FirstOrDefault()?.Value;
            text = html is null ? null : WebUtilityDecode(StripTags(html));
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return $"{kind}: {Truncate(text.Trim())}";
    }

    private static string StripTags(string html) =>
        Regex.Replace(Regex.Replace(html, "<style[^>]*>.*?</style>", " ", RegexOptions.Singleline), "<[^>]+>", " ");

    private static string WebUtilityDecode(string text) =>
        Regex.Replace(System.Net.WebUtility.HtmlDecode(text), @"[ \t]+", " ");

    /// <summary>Collects the display events of the cell being run (and forwards them to the log).</summary>
    private sealed class EventSink : IObserver<KernelEvent>
    {
        private readonly object _gate = new();
        private CellOutputs? _current;

        public CellOutputs Start(Action<string> log)
        {
            lock (_gate)
            {
                _current = new CellOutputs(log);
                return _current;
            }
        }

        public void Stop()
        {
            lock (_gate)
            {
                _current = null;
            }
        }

        public void OnNext(KernelEvent value)
        {
            if (value is not DisplayEvent display || value is DisplayedValueUpdated)
            {
                return;
            }

            CellOutputs? current;
            lock (_gate)
            {
                current = _current;
            }

            current?.Add(display);
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class CellOutputs(Action<string> log)
    {
        private readonly List<string> _lines = [];

        public void Add(DisplayEvent display)
        {
            var line = ToPlainText(display);
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Add(line);
            }

            log(line);
        }

        public IReadOnlyList<string> Snapshot()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }
}

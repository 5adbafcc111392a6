using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workshop.Toolkit.Diagnostics;

/// <summary>
/// One run of a lab's diagnosis script (<c>dotnet run labs/NN-name/diagnose.cs</c>): it starts the lab's services,
/// runs the commands its report quotes, prints each as the shell command an engineer would type followed by what it
/// printed, and records the figures the report quotes. Everything it prints, the figures (<c>figures.json</c>) and
/// any file a tool writes land in <c>artifacts/diagnosis/NN/</c>, which git ignores; a test runs the script and holds
/// the report's figures (<see cref="ReportFigures"/>) within 3x of what it measured.
/// </summary>
public sealed class Diagnosis : IAsyncDisposable
{
    /// <summary>The file, in <see cref="OutputDirectory"/>, that holds the figures as a JSON object of name to value.</summary>
    public const string FiguresFile = "figures.json";

    private readonly List<LabService> _services = [];
    private readonly SortedDictionary<string, double> _figures = new(StringComparer.Ordinal);
    private readonly StringBuilder _transcript = new();

    private Diagnosis(LabInfo lab, string outputDirectory)
    {
        Lab = lab;
        OutputDirectory = outputDirectory;
    }

    /// <summary>The lab being diagnosed.</summary>
    public LabInfo Lab { get; }

    /// <summary><c>artifacts/diagnosis/NN/</c> under the repository root, emptied when the run begins.</summary>
    public string OutputDirectory { get; }

    /// <summary>The figures recorded so far.</summary>
    public IReadOnlyDictionary<string, double> Figures => _figures;

    /// <summary>Begins a diagnosis of <paramref name="lab"/> ("02" or "02-closure-leak"), with a fresh output folder.</summary>
    public static Diagnosis Begin(string lab)
    {
        var info = Labs.Find(lab);
        var output = Path.Combine(Repo.Root, "artifacts", "diagnosis", info.Id);
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        Directory.CreateDirectory(output);
        var run = new Diagnosis(info, output);
        run.Print($"# Diagnosis of lab {info.Name}, {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}, .NET {Environment.Version}");
        return run;
    }

    /// <summary>A file in <see cref="OutputDirectory"/>, for a tool to write.</summary>
    public string PathFor(string file) => Path.Combine(OutputDirectory, file);

    /// <summary>Prints a step's heading.</summary>
    public void Step(string title) => Print($"\n## {title}\n");

    /// <summary>Prints a line of narrative.</summary>
    public void Say(string text) => Print(text);

    /// <summary>Records a figure the report quotes, under a name its figures comments use.</summary>
    public double Figure(string name, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _figures[name] = value;
        return value;
    }

    /// <summary>
    /// Builds a variant in Release and starts it on a free loopback port with the given <c>Lab:</c> settings, printing
    /// the command that does the same by hand; the run stops it when it ends.
    /// </summary>
    public async Task<LabService> StartAsync(string variant, params (string Key, string Value)[] settings)
    {
        var service = await LabService.StartAsync(Lab, variant, settings.ToDictionary(s => s.Key, s => s.Value)).ConfigureAwait(false);
        _services.Add(service);
        var environment = string.Concat(settings.Select(s => $"{s.Key.Replace(":", "__", StringComparison.Ordinal)}={s.Value} "));
        Print($"$ {environment}dotnet {Path.GetFileName(service.AssemblyPath)} --urls {service.BaseAddress.ToString().TrimEnd('/')} &   # pid {service.ProcessId}");
        return service;
    }

    /// <summary>
    /// Sends <paramref name="requests"/> GETs of <paramref name="path"/>, <paramref name="concurrency"/> at a time, and
    /// prints a summary in the shape <c>hey</c> prints (the toolkit's load driver does the work, so nothing needs
    /// installing; <c>hey -n N -c C URL</c> does the same).
    /// </summary>
    public Task<LoadResult> LoadAsync(LabService service, string path, int requests, int concurrency) =>
        LoadAsync(service, i => path, requests, concurrency, $"hey -n {requests} -c {concurrency} {Url(service, path)}");

    /// <summary>Sends <paramref name="requests"/> GETs of the paths <paramref name="path"/> gives, and prints their summary.</summary>
    public Task<LoadResult> LoadAsync(LabService service, Func<long, string> path, int requests, int concurrency, string command)
    {
        ArgumentNullException.ThrowIfNull(path);
        return LoadAsync(service, i => new HttpRequestMessage(HttpMethod.Get, path(i)), requests, concurrency, command);
    }

    /// <summary>Sends the <paramref name="requests"/> requests <paramref name="request"/> makes, <paramref name="concurrency"/> at a time, and prints their summary.</summary>
    public async Task<LoadResult> LoadAsync(LabService service, Func<long, HttpRequestMessage> request, int requests, int concurrency, string command)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(request);
        Print($"$ {command}");
        using var client = service.CreateClient(concurrency);
        var result = await LoadDriver.RunRequestsAsync(client, request, concurrency, requests).ConfigureAwait(false);
        PrintLoad(result, command);
        return result;
    }

    /// <summary>Keeps <paramref name="concurrency"/> GETs of <paramref name="path"/> in flight for <paramref name="duration"/>, as <c>hey -z</c> does.</summary>
    public async Task<LoadResult> LoadForAsync(LabService service, string path, TimeSpan duration, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(service);
        var command = $"hey -z {duration.TotalSeconds:0}s -c {concurrency} {Url(service, path)}";
        Print($"$ {command}");
        using var client = service.CreateClient(concurrency);
        var settings = LoadSettings.Default with { RequestTimeout = duration + TimeSpan.FromSeconds(30) };
        var result = await LoadDriver.RunClosedLoopAsync(client, _ => new HttpRequestMessage(HttpMethod.Get, path), concurrency, duration, settings).ConfigureAwait(false);
        PrintLoad(result, command);
        return result;
    }

    /// <summary>
    /// Reads the service's <c>/metrics</c> and prints the samples of the named metrics, as
    /// <c>curl -s URL/metrics | grep -E '^(a|b)'</c> does; returns each metric's value (summed over its labels).
    /// </summary>
    public Task<IReadOnlyDictionary<string, double>> MetricsAsync(LabService service, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(service);
        return MetricsAsync(new Uri(service.BaseAddress, "/metrics"), names);
    }

    /// <summary>Reads any <c>/metrics</c> address (a fake's, say) as <see cref="MetricsAsync(LabService, string[])"/> does.</summary>
    public async Task<IReadOnlyDictionary<string, double>> MetricsAsync(Uri metrics, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Print($"$ curl -s {metrics} | grep -E '^({string.Join('|', names)})'");
        using var client = new HttpClient();
        var text = await client.GetStringAsync(metrics).ConfigureAwait(false);
        var samples = PrometheusText.Parse(text);
        foreach (var line in text.Split('\n').Where(l => names.Any(n => l.StartsWith(n, StringComparison.Ordinal)))) Print(line.TrimEnd('\r'));
        return names.ToDictionary(n => n, n => samples.Where(s => s.Name == n).Sum(s => s.Value));
    }

    /// <summary>
    /// Sends one request, printing it as <c>curl</c> and the answer's body (or its status when the body is empty);
    /// returns the body. A JSON body goes with <c>content-type: application/json</c>.
    /// </summary>
    public async Task<string> CurlAsync(LabService service, HttpMethod method, string path, string? json = null,
        IReadOnlyDictionary<string, string>? headers = null, bool showStatus = false)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(method);
        var verb = method == HttpMethod.Get ? "" : $"-X {method.Method} ";
        var data = json is null ? "" : $"-H 'content-type: application/json' -d '{json}' ";
        var sent = string.Concat((headers ?? new Dictionary<string, string>()).Select(h => $"-H '{h.Key}: {h.Value}' "));
        Print($"$ curl -s {(showStatus ? "-i " : "")}{verb}{data}{sent}'{Url(service, path)}'");
        using var client = service.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        foreach (var (key, value) in headers ?? new Dictionary<string, string>()) request.Headers.Add(key, value);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (showStatus)
        {
            // As curl -i prints them: the status line, then the headers that matter here.
            Print($"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}");
            foreach (var header in response.Headers.Concat(response.Content.Headers).Where(h => h.Key is "Retry-After" or "Content-Type"))
            {
                Print($"{header.Key}: {string.Join(", ", header.Value)}");
            }
        }
        Print(body.Length > 0 ? body : $"({(int)response.StatusCode} {response.ReasonPhrase})");
        LastStatus = (int)response.StatusCode;
        return body;
    }

    /// <summary>The status of the last <see cref="CurlAsync"/> answer.</summary>
    public int LastStatus { get; private set; }

    /// <summary>Times one GET, printed as <c>curl -w ' %{time_total}s'</c>: the body and how long the answer took.</summary>
    public async Task<TimeSpan> TimeGetAsync(LabService service, string path, TimeSpan? maxTime = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        using var client = service.CreateClient();
        client.Timeout = maxTime ?? TimeSpan.FromMinutes(2);
        var limit = maxTime is { } m ? string.Create(CultureInfo.InvariantCulture, $"-m {m.TotalSeconds:0} ") : "";
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        string body;
        try
        {
            body = await client.GetStringAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false);
        }
        catch (TaskCanceledException) when (maxTime is not null)
        {
            body = "(no answer: curl gave up)";
        }
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Print($"$ curl {limit}-w ' %{{time_total}}s\\n' {Url(service, path)}");
        Print(string.Create(CultureInfo.InvariantCulture, $"{body} {elapsed.TotalSeconds:0.000000}s"));
        return elapsed;
    }

    /// <summary>Waits, printed as <c>sleep</c>: a script may wait for real time to pass (a TTL, a window); a test may not.</summary>
    public async Task SleepAsync(TimeSpan time)
    {
        Print($"$ sleep {time.TotalSeconds:0.#}");
        await Task.Delay(time).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one of the repository's local .NET tools (<c>dotnet tool restore</c> first), prints its command and the
    /// lines of its output that <paramref name="show"/> matches (all of them when null), and returns all it printed.
    /// </summary>
    public async Task<string> ToolAsync(string tool, IReadOnlyList<string> arguments, string? show = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        Print($"$ dotnet {tool.Replace("dotnet-", "", StringComparison.Ordinal)} {string.Join(' ', arguments.Select(Quote))}");
        var output = await DotnetDiagnostics.RunToolAsync(tool, arguments, timeout ?? TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0);
        foreach (var line in show is null ? lines : lines.Where(l => Regex.IsMatch(l, show))) Print(line);
        return output;
    }

    /// <summary>Stops the services, then writes the transcript and <see cref="FiguresFile"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync().ConfigureAwait(false);
        Print($"\nFigures ({_figures.Count}), in {Path.GetRelativePath(Repo.Root, PathFor(FiguresFile))}:");
        foreach (var (name, value) in _figures) Print($"  {name} = {value.ToString("#,0.###", CultureInfo.InvariantCulture)}");
        // Written by hand: a file-based script is trimmed for AOT by default, which disables reflection-based JSON.
        await using (var file = File.Create(PathFor(FiguresFile)))
        await using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (name, value) in _figures) json.WriteNumber(name, value);
            json.WriteEndObject();
        }
        await File.WriteAllTextAsync(PathFor("transcript.txt"), _transcript.ToString()).ConfigureAwait(false);
    }

    private void PrintLoad(LoadResult r, string command)
    {
        var s = CultureInfo.InvariantCulture;
        // One block, so that two loads running side by side do not interleave their lines.
        lock (_transcript)
        {
            if (_lastPrinted != command) Print($"  (the answers to: {(command.Length > 70 ? command[..70] + "..." : command)})");
            Print(string.Create(s, $"  Total: {r.Elapsed.TotalSeconds:0.0} s   Requests/sec: {r.Throughput:0.0}"));
            Print(string.Create(s, $"  Latency: p50 {r.P50:N1} ms   p95 {r.P95:N1} ms   p99 {r.P99:N1} ms   slowest {r.Max:N1} ms"));
            Print($"  Status: {string.Join("   ", r.ByStatus.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => string.Create(s, $"[{b.Key}] {b.Value:N0}")))}");
        }
    }

    private string? _lastPrinted;

    private static string Url(LabService service, string path) => new Uri(service.BaseAddress, path).ToString();

    private static string Quote(string argument) => argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=,".Contains(c, StringComparison.Ordinal))
        ? argument
        : $"\"{argument}\"";

    private void Print(string line)
    {
        lock (_transcript)
        {
            Console.WriteLine(line);
            _transcript.AppendLine(line);
            if (line.StartsWith("$ ", StringComparison.Ordinal)) _lastPrinted = line[2..];
        }
    }
}

/// <summary>A figure a lab report quotes: its name, the text it shows and the value that text reads as.</summary>
public sealed record ReportFigure(string Name, string Shown, double Value);

/// <summary>
/// The figures a report quotes, each named in a comment after the block that shows it:
/// <c>&lt;!-- figures: callbacks_after=10,402 heap_after_mb=699 --&gt;</c>. A comment's values must appear as written in
/// the text since the previous comment (so the comment and what the reader sees cannot part), and a test holds each
/// within 3x of what the lab's diagnosis script measures.
/// </summary>
public static partial class ReportFigures
{
    /// <summary>Every figure of <paramref name="markdown"/>'s comments.</summary>
    /// <exception cref="FormatException">A comment's value is not a number, or does not appear in the text it follows.</exception>
    public static IReadOnlyList<ReportFigure> Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var figures = new List<ReportFigure>();
        var from = 0;
        foreach (Match comment in Comment().Matches(markdown))
        {
            var before = markdown[from..comment.Index];
            foreach (var pair in comment.Groups["pairs"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || !double.TryParse(parts[1].Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new FormatException($"figure '{pair}' in '{comment.Value}' is not name=number.");
                }
                if (!before.Contains(parts[1], StringComparison.Ordinal))
                {
                    throw new FormatException($"figure {parts[0]}={parts[1]} does not appear in the text before its comment '{comment.Value}'.");
                }
                figures.Add(new ReportFigure(parts[0], parts[1], value));
            }
            from = comment.Index + comment.Length;
        }
        return figures;
    }

    [GeneratedRegex(@"<!--\s*figures:(?<pairs>[^>]*?)-->")]
    private static partial Regex Comment();
}

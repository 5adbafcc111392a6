using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Repository;

namespace Workshop.Pipeline.Demo;

/// <summary>One step of a request's trace in the chapter's service: the layer, what it did, when (ms since the request began).</summary>
public sealed record PipelineStep(string Layer, string What, double AtMs);

/// <summary>A request through the pipeline demo: its status and the steps its layers wrote down.</summary>
public sealed record PipelineTrace(string Path, HttpStatusCode Status, IReadOnlyList<PipelineStep> Steps)
{
    /// <summary>The steps as an onion: each "before" one level further in, each "after" back out.</summary>
    public string Onion()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"GET {Path} -> {(int)Status}\n");
        var depth = 0;
        foreach (var step in Steps)
        {
            var leaving = step.What.StartsWith("after", StringComparison.Ordinal) || step.What.StartsWith("caught", StringComparison.Ordinal);
            if (leaving) depth = Math.Max(0, depth - 1);
            text.Append(CultureInfo.InvariantCulture, $"{step.AtMs,9:0.000} ms  {new string(' ', 2 * depth)}{step.Layer}: {step.What}\n");
            if (step.What.StartsWith("before", StringComparison.Ordinal)) depth++;
        }
        return text.ToString();
    }
}

/// <summary>
/// The chapter's service (<c>chapters/00-middleware-pipeline/Service</c>), run as a process of its own
/// like the labs: its middlewares and filters write down when they run, and <c>GET /traces/{id}</c> gives it back.
/// </summary>
public sealed class PipelineDemo : IAsyncDisposable
{
    private readonly LabService _service;
    private readonly HttpClient _client;

    private PipelineDemo(LabService service)
    {
        _service = service;
        _client = service.CreateClient(4);
    }

    /// <summary>The demo's project file.</summary>
    public static string ProjectFile => Path.Combine(Repo.Root, "chapters", "00-middleware-pipeline", "Service", "Workshop.Pipeline.csproj");

    /// <summary>Where it listens.</summary>
    public Uri BaseAddress => _service.BaseAddress;

    /// <summary>Builds (in Release, once) and starts it.</summary>
    public static async Task<PipelineDemo> StartAsync(CancellationToken ct = default) =>
        new(await LabService.StartProjectAsync(ProjectFile, "pipeline", "demo", ct: ct).ConfigureAwait(false));

    /// <summary>Sends one GET (with the headers given) and reads back what every layer wrote down for it.</summary>
    /// <exception cref="InvalidOperationException">The answer named no trace.</exception>
    public async Task<PipelineTrace> GetAsync(string path, IReadOnlyDictionary<string, string>? headers = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (key, value) in headers ?? new Dictionary<string, string>()) request.Headers.Add(key, value);
        using var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.Headers.TryGetValues("X-Trace-Id", out var ids)) throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode} with no X-Trace-Id: it did not pass the tracing middleware.");
        var json = await _client.GetStringAsync(new Uri($"/traces/{ids.First()}", UriKind.Relative), ct).ConfigureAwait(false);
        using var document = JsonDocument.Parse(json);
        var steps = document.RootElement.EnumerateArray()
            .Select(s => new PipelineStep(s.GetProperty("layer").GetString() ?? "", s.GetProperty("what").GetString() ?? "", s.GetProperty("atMs").GetDouble()))
            .ToList();
        return new PipelineTrace(path, response.StatusCode, steps);
    }

    /// <summary>Stops the demo service.</summary>
    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _service.DisposeAsync().ConfigureAwait(false);
    }
}

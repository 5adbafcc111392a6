using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Workshop.ServiceKit;

/// <summary>
/// The configuration source of knobs set while the service runs: added after every other source, so a knob set here
/// wins over appsettings and the environment; its reload token tells every <see cref="IOptionsMonitor{TOptions}"/>,
/// so code that reads <c>CurrentValue</c> sees the new setting on its next read, without a restart.
/// </summary>
internal sealed class LiveKnobsSource : IConfigurationSource
{
    public LiveKnobsProvider Provider { get; } = new();

    public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider;
}

internal sealed class LiveKnobsProvider : ConfigurationProvider
{
    private readonly Lock _gate = new();

    /// <summary>What this source holds for the knobs named (null: nothing, the other sources decide), to undo a bad setting.</summary>
    public Dictionary<string, string?> Peek(IEnumerable<string> names)
    {
        lock (_gate) return names.ToDictionary(k => k, k => Data.TryGetValue(Key(k), out var v) ? v : null, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Sets knobs (names without the section) and tells the monitors, which may throw if a value does not bind.</summary>
    public void Set(IReadOnlyDictionary<string, string> knobs)
    {
        lock (_gate)
        {
            foreach (var (name, value) in knobs) Data[Key(name)] = value;
        }
        OnReload();
    }

    /// <summary>Puts knobs back as <see cref="Set"/> found them.</summary>
    public void Restore(IReadOnlyDictionary<string, string?> previous)
    {
        lock (_gate)
        {
            foreach (var (name, value) in previous)
            {
                if (value is null) Data.Remove(Key(name));
                else Data[Key(name)] = value;
            }
        }
        OnReload();
    }

    private static string Key(string name) => $"{WorkshopServiceExtensions.KnobSection}:{name}";
}

/// <summary>The lab's options type, its knob names, and a way to build them as they now stand (which throws when a setting does not bind or validate).</summary>
internal sealed class LabKnobsOf<TOptions>(IOptionsMonitor<TOptions> monitor) : ILabKnobs where TOptions : class
{
    public IReadOnlySet<string> Names { get; } = typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public void Check() => _ = monitor.CurrentValue;
}

internal interface ILabKnobs
{
    IReadOnlySet<string> Names { get; }

    void Check();
}

/// <summary>
/// <c>GET|PUT /workshop/knobs</c>, served ahead of the lab's own middleware, only when the service starts with
/// <c>Workshop:Control=true</c> (<c>workshop live</c> sets it), and only to a caller on this machine: a request from any
/// other address is refused with 403. <c>PUT</c> takes a JSON object of knob names and values
/// (<c>{"LogSinkDelayMs": 100}</c>), all of them or none: an unknown knob or a value that does not bind is a 400 naming
/// it, and the knobs stay as they were. The same answers come from <see cref="ControlPortListener"/>, which a starved
/// thread pool cannot hold up.
/// </summary>
internal static class LiveKnobsEndpoint
{
    public const string Path = "/workshop/knobs";

    // Knob names as the configuration spells them, not camel-cased: the names a PUT takes.
    private static readonly JsonSerializerOptions AsNamed = new();
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>An answer: its status, its content type and its JSON.</summary>
    public readonly record struct Answer(int Status, string ContentType, string Json);

    public static async Task HandleAsync(HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        var answer = Respond(context.RequestServices, context.Request.Method, context.Connection.RemoteIpAddress, body);
        context.Response.StatusCode = answer.Status;
        if (answer.Status == StatusCodes.Status405MethodNotAllowed) context.Response.Headers.Allow = "GET, PUT";
        context.Response.ContentType = answer.ContentType;
        await context.Response.WriteAsync(answer.Json, context.RequestAborted);
    }

    /// <summary>What a request of <paramref name="method"/> from <paramref name="remote"/> with <paramref name="body"/> gets; a PUT that is accepted has taken effect when this returns.</summary>
    public static Answer Respond(IServiceProvider services, string method, IPAddress? remote, string body)
    {
        if (remote is null || !IPAddress.IsLoopback(remote))
        {
            return Problem(StatusCodes.Status403Forbidden, "Knobs are set from this machine only",
                $"The knob endpoint answers loopback callers; this request came from {remote?.ToString() ?? "an unknown address"}.");
        }

        var source = services.GetService<LiveKnobsSource>();
        var knobs = services.GetService<ILabKnobs>();
        if (source is null || knobs is null) return Problem(StatusCodes.Status404NotFound, "No knobs", "This service binds no Lab section (AddLabKnobs was not called).");

        var configuration = services.GetRequiredService<IConfiguration>().GetSection(WorkshopServiceExtensions.KnobSection);
        if (HttpMethods.IsGet(method)) return Current(configuration, knobs);
        if (!HttpMethods.IsPut(method)) return Problem(StatusCodes.Status405MethodNotAllowed, "GET or PUT", $"{method} is not a way to read or set knobs.");

        Dictionary<string, string> wanted;
        try
        {
            wanted = Parse(body);
        }
        catch (JsonException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not a JSON object of knobs", $"Send {{\"Name\": value, ...}}: {e.Message}");
        }

        var unknown = wanted.Keys.Where(k => !knobs.Names.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown knob",
                $"{string.Join(", ", unknown)}: not a knob of this service (its knobs: {string.Join(", ", knobs.Names.Order(StringComparer.Ordinal))}).");
        }

        // The monitors rebuild the options as the reload tells them, so a value that does not bind throws there already.
        var previous = source.Provider.Peek(wanted.Keys);
        try
        {
            source.Provider.Set(wanted);
            knobs.Check();
        }
        catch (Exception e) when (Unwrap(e) is InvalidOperationException or OptionsValidationException or FormatException)
        {
            // Thrown by the binder, in a reload callback (wrapped in an AggregateException there) or in Check.
            source.Provider.Restore(previous);
            return Problem(StatusCodes.Status400BadRequest, "Knob value refused", $"{Unwrap(e).Message} The knobs are as they were.");
        }
        return Current(configuration, knobs);
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: > 0 } a ? Unwrap(a.InnerExceptions[0]) : e;

    private static Answer Current(IConfigurationSection section, ILabKnobs knobs) =>
        new(StatusCodes.Status200OK, "application/json; charset=utf-8", JsonSerializer.Serialize(
            new SortedDictionary<string, string?>(knobs.Names.Where(n => section[n] is not null).ToDictionary(n => n, n => section[n]), StringComparer.Ordinal), AsNamed));

    private static Answer Problem(int status, string title, string detail) =>
        new(status, "application/problem+json; charset=utf-8", JsonSerializer.Serialize(
            new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail }, Web));

    private static Dictionary<string, string> Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException($"the body is a JSON {document.RootElement.ValueKind}, not an object.");
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.String => p.Value.GetString()!,
            JsonValueKind.Number => p.Value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new JsonException($"'{p.Name}' is a JSON {p.Value.ValueKind}; a knob takes a string, a number or a boolean."),
        }, StringComparer.OrdinalIgnoreCase);
    }
}

using System.Buffers;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Workshop.ServiceKit;

namespace Lab10.Backend;

/// <summary>
/// The inventory backend: a line protocol over TCP, many calls in flight on one connection, each told apart by the id
/// the client gives it. A request is one line of JSON, <c>{"id":7,"basketId":"b-1","lines":[{"sku":"SKU-1","quantity":2},...]}</c>;
/// its answer one line, <c>{"id":7,"available":[5,0,...]}</c>, the stock of each line's SKU. It drops the share of
/// answers <c>Backend:DropRate</c> says, evenly spread (the same requests on every run), as a backend behind a
/// flaky network, or one that crashes mid-request, loses some. HTTP on its other port: <c>PUT /control</c>
/// (<c>{"dropRate":0.2}</c>), <c>/healthz</c>, <c>/metrics</c>.
/// The spec starts it in its own process, the replay and the notebook as a process of its own; the same code either way.
/// </summary>
public static class BackendApp
{
    public const string MeterName = "Lab10.Backend";
    public const string TcpPortKey = "Backend:TcpPort";
    public const string DropRateKey = "Backend:DropRate";

    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddWorkshopDefaults(MeterName);
        var tcpPort = builder.Configuration.GetValue<int?>(TcpPortKey)
                      ?? throw new InvalidOperationException($"{TcpPortKey} names no port: pass the port the protocol listens on (--{TcpPortKey}=5091).");
        builder.Services.AddSingleton(new Drops(builder.Configuration.GetValue<double?>(DropRateKey) ?? 0));
        builder.Services.AddSingleton<BackendMetrics>();
        // Two endpoints: HTTP where --urls says (control, health, metrics), and the protocol on its own port. Kestrel takes
        // endpoints set here instead of --urls, so the HTTP ones are set here too, from --urls.
        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "http://127.0.0.1:0")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).ToList();
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in urls)
                kestrel.Listen(url.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host), url.Port);
            kestrel.Listen(IPAddress.Loopback, tcpPort, listen => listen.UseConnectionHandler<InventoryProtocol>());
        });
        var app = builder.Build();
        app.MapWorkshopEndpoints();
        app.MapPut("/control", (Control control, Drops drops) =>
        {
            if (control.DropRate is < 0 or > 1 or null)
                return Results.Problem(statusCode: 400, title: "Bad drop rate", detail: "dropRate is a share of answers, from 0 to 1.");
            drops.Rate = control.DropRate.Value;
            return Results.Ok(new Control(drops.Rate));
        });
        return app;
    }

    /// <summary>The body of <c>PUT /control</c>.</summary>
    public sealed record Control(double? DropRate);
}

/// <summary>Which answers are dropped: request n is when n * rate crosses an integer, so exactly that share, evenly spread.</summary>
public sealed class Drops(double rate)
{
    private long _arrivals;
    private double _rate = rate;

    public double Rate { get => Volatile.Read(ref _rate); set => Volatile.Write(ref _rate, value); }

    public bool Next()
    {
        var rate = Rate;
        if (rate <= 0) return false;
        if (rate >= 1) return true;
        var n = Interlocked.Increment(ref _arrivals);
        return Math.Floor(n * rate) > Math.Floor((n - 1) * rate);
    }
}

/// <summary>The backend's counts, on /metrics.</summary>
public sealed class BackendMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _dropped;
    private long _requestCount;

    public BackendMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(BackendApp.MeterName);
        _requests = meter.CreateCounter<long>("backend.requests", "{request}", "Stock checks received.");
        _dropped = meter.CreateCounter<long>("backend.dropped", "{request}", "Stock checks never answered.");
    }

    /// <summary>Stock checks received since the backend started.</summary>
    public long Requests => Interlocked.Read(ref _requestCount);

    public void Received(bool dropped)
    {
        Interlocked.Increment(ref _requestCount);
        _requests.Add(1);
        if (dropped) _dropped.Add(1);
    }
}

/// <summary>One client connection: reads request lines, writes answer lines, in whatever order they are ready.</summary>
public sealed class InventoryProtocol(Drops drops, BackendMetrics metrics, ILogger<InventoryProtocol> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        using var writeLock = new SemaphoreSlim(1, 1);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(connection.ConnectionClosed);
                var buffer = read.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    var answer = Answer(line);
                    var dropped = drops.Next();
                    metrics.Received(dropped);
                    if (answer is null || dropped) continue;
                    await writeLock.WaitAsync(connection.ConnectionClosed);
                    try
                    {
                        await output.WriteAsync(answer, connection.ConnectionClosed);
                    }
                    finally
                    {
                        writeLock.Release();
                    }
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException)
        {
            logger.LogDebug("Connection {Id} closed: {Error}", connection.ConnectionId, e.Message);
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, end.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        return true;
    }

    // {"id":7,"available":[...]}: each line's SKU has (its number * 7) % 50 in stock, a figure the spec can check.
    private static byte[]? Answer(ReadOnlySequence<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            using var request = JsonDocument.ParseValue(ref reader);
            var id = request.RootElement.GetProperty("id").GetInt64();
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{id},\"available\":[");
            var first = true;
            foreach (var item in request.RootElement.GetProperty("lines").EnumerateArray())
            {
                if (!first) text.Append(',');
                first = false;
                text.Append(CultureInfo.InvariantCulture, $"{Stock(item.GetProperty("sku").GetString() ?? "")}");
            }
            text.Append("]}\n");
            return Encoding.UTF8.GetBytes(text.ToString());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // not a request: nothing to answer
        }
    }

    /// <summary>The stock the backend holds of <paramref name="sku"/>: its digits times 7, modulo 50.</summary>
    public static int Stock(string sku) =>
        (int)(long.Parse(new string([.. sku.Where(char.IsAsciiDigit)]) is { Length: > 0 } digits ? digits : "0", CultureInfo.InvariantCulture) * 7 % 50);
}

using System.Net;
using System.Text;
using Workshop.Toolkit.Processes;

namespace Workshop.Toolkit.Tests;

/// <summary>
/// A minimal HTTP server on 127.0.0.1 for the driver and sampler tests, built on HttpListener so that the toolkit's
/// tests need no ASP.NET Core either. Each request runs the handler on its own task; the handler writes the answer.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<HttpListenerContext, CancellationToken, Task> _handler;
    private readonly Task _accepting;

    public TestServer(Func<HttpListenerContext, CancellationToken, Task> handler)
    {
        _handler = handler;
        var port = LabService.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _accepting = Task.Run(AcceptAsync);
    }

    public Uri BaseAddress { get; }

    public static async Task ReplyAsync(HttpListenerContext context, int status = 200, string body = "ok")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        await _accepting;
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // Closed.
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            await _handler(context, _stopping.Token);
        }
        catch (Exception)
        {
            // The client gave up (a timeout test) or the server is closing: drop the connection.
            try
            {
                context.Response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}

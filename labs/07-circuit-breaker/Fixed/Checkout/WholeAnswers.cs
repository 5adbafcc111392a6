namespace Lab07.Checkout;

/// <summary>
/// FIX: reads each answer of the provider whole inside the try that asked for it, so the try's timeout covers a body
/// that stalls after its headers, and a retry or the breaker sees that try fail like any other.
/// </summary>
public sealed class WholeAnswers : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}

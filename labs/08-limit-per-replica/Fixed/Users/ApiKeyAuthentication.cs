using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Lab08.Users;

/// <summary>
/// FIX: who is calling is what its API key proves (the <c>X-Api-Key</c> header, checked against the keys' SHA-256 hashes
/// in <c>Lab:ApiKeys</c>), so a caller that names itself anew on each request still spends one budget. No key, or a key
/// nobody was given, is a 401 ProblemDetails; keys are never logged.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<LabOptions> lab)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    private readonly (string Caller, byte[] Hash)[] _keys = [.. lab.Value.ApiKeys.Select(k => (k.Key, Convert.FromHexString(k.Value)))];

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers[Header].ToString() is not { Length: > 0 and <= 256 } key) return Task.FromResult(AuthenticateResult.NoResult());
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        // Every known hash is compared in full, in constant time: how long this takes says nothing about the key.
        string? caller = null;
        foreach (var (name, known) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, known)) caller = name;
        }
        if (caller is null) return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, caller)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "An API key is required",
                Detail = $"Send the key you were given in the {Header} header.",
            },
        });
    }
}

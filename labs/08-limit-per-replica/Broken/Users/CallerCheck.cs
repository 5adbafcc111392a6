using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Lab08.Users;

/// <summary>
/// The signature every profile carries for its caller: PBKDF2-SHA256 over the caller and the user, stretched
/// <c>Lab:WorkFactor</c> times, as keys derived from secrets are. The CPU work of a lookup.
/// </summary>
public sealed class CallerCheck(IOptions<LabOptions> options)
{
    private static readonly byte[] Salt = Encoding.UTF8.GetBytes("incident-labs-08");

    public string Sign(string caller, int userId)
    {
        var input = Encoding.UTF8.GetBytes($"{caller}:{userId}");
        return Convert.ToHexString(Rfc2898DeriveBytes.Pbkdf2(input, Salt, options.Value.WorkFactor, HashAlgorithmName.SHA256, 16));
    }
}

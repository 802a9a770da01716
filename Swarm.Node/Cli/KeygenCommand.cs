using System.CommandLine;
using Swarm.Node.Identity;

namespace Swarm.Node.Cli;

/// <summary><c>swarm keygen</c>: creates the node's TLS key (ECDSA P-256) with its self-signed certificate and its
/// Ed25519 signing key (both private keys mode 0600), and prints the fingerprint to pin and the signing key to list
/// in the consortium file.</summary>
public static class KeygenCommand
{
    public static Command Create()
    {
        var command = new Command("keygen",
            "Create this node's TLS key (node.key, owner-only) and self-signed certificate (node.crt), and its Ed25519 signing key (signing.key, owner-only; signing.pub).");
        var outDir = new Option<string>("--out") { Description = "Directory for node.key, node.crt, signing.key and signing.pub.", Required = true };
        var nodeId = new Option<string>("--node-id") { Description = "This node's id (the certificate's CN).", Required = true };
        var years = new Option<int>("--validity-years") { Description = "Certificate validity in years.", DefaultValueFactory = _ => 10 };
        var force = new Option<bool>("--force") { Description = "Replace existing keys (the consortium file must list the new ones)." };
        command.Options.Add(outDir);
        command.Options.Add(nodeId);
        command.Options.Add(years);
        command.Options.Add(force);
        command.SetAction(parse =>
        {
            var id = parse.GetValue(nodeId)!;
            var problem = NodeId.Problem(id);
            if (problem is not null)
            {
                Console.Error.WriteLine($"swarm keygen: --node-id '{id}' {problem}");
                return ExitCodes.Usage;
            }
            if (parse.GetValue(years) < 1)
            {
                Console.Error.WriteLine("swarm keygen: --validity-years must be at least 1");
                return ExitCodes.Usage;
            }
            try
            {
                using var identity = NodeIdentity.Create(id, parse.GetValue(years));
                identity.Save(parse.GetValue(outDir)!, parse.GetValue(force));
                var dir = parse.GetValue(outDir)!;
                Console.WriteLine($"node id      {identity.NodeId}");
                Console.WriteLine($"key          {Path.Combine(dir, NodeIdentity.KeyFileName)} (TLS, ECDSA P-256, mode 0600)");
                Console.WriteLine($"certificate  {Path.Combine(dir, NodeIdentity.CertificateFileName)}");
                Console.WriteLine($"fingerprint  {identity.Fingerprint}");
                Console.WriteLine($"signing key  {Path.Combine(dir, NodeIdentity.SigningKeyFileName)} (Ed25519, mode 0600)");
                Console.WriteLine($"signing pub  {Path.Combine(dir, NodeIdentity.SigningPublicKeyFileName)}: {MemberKeys.Of(identity.Signer)}");
                return ExitCodes.Ok;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"swarm keygen: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}

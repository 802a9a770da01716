namespace Swarm.Consensus.Blocks;

public enum MembershipChangeKind : byte
{
    Add = 1,
    Remove = 2,
}

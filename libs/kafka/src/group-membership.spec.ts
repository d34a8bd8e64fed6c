import { GroupMembership } from './group-membership';

const unknownMember = Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' });

describe(GroupMembership.name, () => {
  it('should throw the error that lost the membership to every later batch until the member joins again', () => {
    const m = new GroupMembership();
    expect(() => m.assertMember()).not.toThrow();
    m.lost(unknownMember, 1_000);
    expect(m.isLost).toBe(true);
    expect(() => m.assertMember()).toThrow(unknownMember);
    m.joined();
    expect(m.isLost).toBe(false);
    expect(() => m.assertMember()).not.toThrow();
  });

  it('should count a membership once however many batches saw it lost', () => {
    const m = new GroupMembership();
    expect(m.lost(unknownMember, 1_000)).toBe(1);
    expect(m.lost(unknownMember, 1_001)).toBe(1);
    m.joined();
    expect(m.lost(unknownMember, 2_000)).toBe(2);
    m.joined();
    // Outside the window, the first loss no longer counts.
    expect(m.lost(unknownMember, 61_500)).toBe(2);
  });

  it('should stay unsettled across rejoins until a slice is committed', () => {
    const m = new GroupMembership();
    m.lost(unknownMember, 1_000);
    m.joined();
    m.lost(unknownMember, 30_000);
    m.joined();
    expect(m.unsettledFor(121_000)).toBe(120_000);
    m.progressed();
    expect(m.unsettledFor(121_000)).toBe(0);
    expect(m.lost(unknownMember, 122_000)).toBe(1);
  });

  it('should settle a member that stayed in its group while lost memberships are not settled', () => {
    const m = new GroupMembership();
    m.lost(unknownMember, 1_000);
    m.settled();
    expect(m.unsettledFor(5_000)).toBe(4_000);
    m.joined();
    m.settled();
    expect(m.unsettledFor(5_000)).toBe(0);
  });
});

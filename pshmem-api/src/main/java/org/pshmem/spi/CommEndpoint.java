package org.pshmem.spi;

import org.pshmem.api.RankFailedException;
import org.pshmem.api.ReduceOp;

/**
 * One rank's handle on a group of ranks, with MPI-style operations. Array arguments are Java primitive
 * arrays ({@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]}, {@code float[]}, {@code double[]});
 * the API validates arguments before calling, so implementations may assume they are in range.
 * Collective operations must be called by every member in the same order, as in MPI. When a member fails or
 * leaves, a member waiting for it must throw {@link org.pshmem.api.RankFailedException} instead of waiting
 * forever.
 */
public interface CommEndpoint extends AutoCloseable
{
    /** Colour for {@link #split(int, int)} that takes the calling rank out of every new group. */
    int UNDEFINED = -1;

    /** Source for {@link #receive} and {@link #probe} that matches a message from any member. */
    int ANY_SOURCE = -2;

    /**
     * @return this rank's index in the group.
     */
    int rank();

    /**
     * @return number of ranks in the group.
     */
    int size();

    /**
     * @return this rank's index in the world group, for messages.
     */
    int worldRank();

    /**
     * Returns when every member has called it.
     */
    void barrier();

    /**
     * Returns when every member has called it: the barrier of the library's own objects (their creation and
     * close), with a fingerprint of its own, so it never completes a user's {@link #barrier()} and fails
     * against one instead.
     */
    void objectBarrier();

    /**
     * Records that this rank enters a {@link #barrier()} made outside this endpoint (in node memory), numbered as
     * this endpoint's next collective, as {@link #barrier()} would be, so later collectives keep their steps and
     * the report of a stalled job shows the rank in it. {@link #exitBarrierElsewhere(boolean)} ends it.
     *
     * @return the barrier's fingerprint, whose {@code toString()} names it in messages, e.g.
     * {@code barrier() (step 3)}.
     */
    default Fingerprint enterBarrierElsewhere()
    {
        return Fingerprint.of(0, Fingerprint.Collective.BARRIER);
    }

    /**
     * Ends what {@link #enterBarrierElsewhere()} began.
     *
     * @param done true when the barrier completed, so its step is used; false when it failed or gives way to
     *             {@link #barrier()} here, which then takes the same step.
     */
    default void exitBarrierElsewhere(final boolean done)
    {
    }

    /**
     * Asked, without blocking, by a rank that waits in a barrier made elsewhere (between
     * {@link #enterBarrierElsewhere()} and {@link #exitBarrierElsewhere(boolean)}): whether another member has
     * entered a collective of this endpoint at the same step, and what it sent this rank (or deposited for it)
     * is there. That member is in a different collective and waits here for this rank, so the waiting rank
     * should give way to {@link #barrier()} here, where the calls are compared and every member fails naming
     * them. A collective of a later step (of a member that already left the barrier) does not count.
     *
     * @param step the step of the barrier made elsewhere, as {@link #enterBarrierElsewhere()} numbered it.
     * @return true when such a collective of step {@code step} is known to wait for this rank; the default,
     * for transports that cannot tell ({@link #tellsCollectiveWaiting()} false), is false.
     */
    default boolean collectiveWaiting(final long step)
    {
        return false;
    }

    /**
     * Whether {@link #collectiveWaiting(long)} can tell. A communicator's barrier across nodes waits in node memory
     * only over an endpoint that can: elsewhere, a node whose ranks all wait in another collective of the endpoint
     * could not be told, and the barrier's leaders would wait for it forever, so the endpoint's own barrier (which
     * compares the calls) is the barrier.
     *
     * @return true when it can; the default is false.
     */
    default boolean tellsCollectiveWaiting()
    {
        return false;
    }

    /**
     * Returns where this rank's collectives are recorded, shared by all its endpoints.
     *
     * @return the rank's activity.
     */
    RankActivity activity();

    /**
     * Collective: copies {@code count} elements at {@code offset} from the root's array into every member's array.
     *
     * @param array  a primitive array; the root's is read, every other member's written.
     * @param offset first element.
     * @param count  number of elements.
     * @param root   the member whose elements are copied.
     */
    void broadcast(Object array, int offset, int count, int root);

    /**
     * Every member contributes {@code count} elements of {@code send}; {@code receive} gets all contributions
     * in rank order ({@code size() * count} elements). Collective.
     *
     * @param send    this member's contribution, a primitive array.
     * @param count   number of elements each member contributes.
     * @param receive array of the same type with room for {@code size() * count} elements.
     */
    void allGather(Object send, int count, Object receive);

    /**
     * Reduces {@code count} elements of {@code send} ({@code int[]}, {@code long[]} or {@code double[]})
     * element-wise over all members into every member's {@code receive}. Collective.
     *
     * @param send    this member's values.
     * @param receive array of the same type and at least {@code count} elements, for the result.
     * @param count   number of elements.
     * @param op      the reduction.
     */
    void allReduce(Object send, Object receive, int count, ReduceOp op);

    /**
     * {@link #allReduce}, which a rank waiting for the others can leave: while it waits, it asks {@code giveWay},
     * and returns false, without a result, once that says so. Only for a call whose failure the caller then
     * makes every member see by other means (the node leaders' exchange of a barrier made in node memory, which
     * gives way to {@link #barrier()} on the communicator, where every rank fails): after it returned false, the
     * members of this endpoint may no longer agree on its steps or messages. The default cannot be left: it is
     * {@link #allReduce} and returns true.
     *
     * @param send     this member's values.
     * @param receive  array of the same type and at least {@code count} elements, for the result.
     * @param count    number of elements.
     * @param op       the reduction.
     * @param giveWay  asked, without blocking, while this rank waits; true ends the wait.
     * @return true with the result in {@code receive}; false when it gave way.
     */
    default boolean allReduceUnless(final Object send, final Object receive, final int count, final ReduceOp op,
        final java.util.function.BooleanSupplier giveWay)
    {
        allReduce(send, receive, count, op);
        return true;
    }

    /**
     * Sends {@code count} elements to {@code dest}; may return before the receiver has them. Not collective.
     *
     * @param array  a primitive array.
     * @param offset first element to send.
     * @param count  number of elements.
     * @param dest   the receiving member.
     * @param tag    message tag, zero or more.
     */
    void send(Object array, int offset, int count, int dest, int tag);

    /**
     * Non-blocking: whether a message with {@code tag} from {@code source} (or {@link #ANY_SOURCE}) waits.
     * May be called by a thread other than the one using the endpoint's collectives.
     *
     * @param source the sending member, or {@link #ANY_SOURCE}.
     * @param tag    message tag.
     * @return true when such a message can be received now.
     */
    boolean probe(int source, int tag);

    /**
     * Receives a message of at most {@code count} elements from {@code source} (or {@link #ANY_SOURCE})
     * with {@code tag}. Not collective; blocks until the message arrives.
     *
     * @param array  a primitive array to receive into.
     * @param offset first element to write.
     * @param count  room for at most this many elements.
     * @param source the sending member, or {@link #ANY_SOURCE}.
     * @param tag    message tag.
     * @return number of elements received.
     */
    int receive(Object array, int offset, int count, int source, int tag);

    /**
     * Posts a receive of a message of at most {@code count} elements from {@code source} with {@code tag}, and
     * returns without waiting for it, so the message can arrive while this rank works on; the message is in the
     * array once {@link PostedReceive#await()} returns. The caller awaits the receives it posted from one source
     * with one tag in the order it posted them, and makes no {@link #receive} from that source with that tag while
     * one is posted: then each gets the messages in the order they were sent, whether the transport matches a
     * receive when it is posted (MPJ) or when it is awaited (the default). Not collective. The default posts
     * nothing and receives in {@code await()}.
     *
     * @param array  a primitive array to receive into, not touched until {@code await()} returns.
     * @param offset first element to write.
     * @param count  room for at most this many elements.
     * @param source the sending member (not {@link #ANY_SOURCE}).
     * @param tag    message tag.
     * @return the posted receive, to be awaited once.
     */
    default PostedReceive receiveLater(final Object array, final int offset, final int count, final int source,
        final int tag)
    {
        return () -> receive(array, offset, count, source, tag);
    }

    /**
     * Asked by waits that do not go through this endpoint (such as synchronisation in node memory), so they
     * end when a member can no longer take part.
     *
     * @param op the waiting operation, for the message.
     * @return a failure naming a member that failed or left, or null when none is known.
     */
    default RankFailedException failedMember(String op)
    {
        return null;
    }

    /**
     * Called by the API before every use of a communicator, including uses that then go through node memory
     * rather than this endpoint: a transport whose ranks share a JVM throws when the calling thread belongs to
     * another rank, which would otherwise take this rank's place in a collective.
     *
     * @throws IllegalStateException when the calling thread is another rank's; the message names both ranks.
     */
    default void checkCallingThread()
    {
    }

    /**
     * Collective: splits into groups by colour, ordered by key then rank.
     *
     * @param color this rank's group, zero or more, or {@link #UNDEFINED} for none.
     * @param key   order within the group.
     * @return this rank's new group, or null when {@code color} is {@link #UNDEFINED}.
     */
    CommEndpoint split(int color, int key);

    /**
     * Collective: splits into groups of ranks that can share memory (one group per node).
     *
     * @return this rank's node group.
     */
    CommEndpoint splitByNode();

    /**
     * Releases this endpoint; must not be called on the world or self endpoint.
     */
    @Override
    void close();
}

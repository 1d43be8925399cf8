---------------------------- MODULE MiniLog ----------------------------
(* The toy model mini_log of tests/engine/toy_models.py, for TLC.                  *)
(* User threads reserve an lsn and wait until written covers it, a writer writes  *)
(* up to any reserved lsn, a notifier wakes a waiter whose lsn is written.        *)
(* bench/vs_tlc.py checks that TLC and redospec's engine count the same distinct  *)
(* states, then compares their states per CPU-second.                             *)
EXTENDS Naturals

CONSTANTS Users, MaxLsn

VARIABLES lsn, written, waiting

vars == <<lsn, written, waiting>>

Init == /\ lsn = 0
        /\ written = 0
        /\ waiting = [t \in Users |-> 0]

Reserve(t) == /\ waiting[t] = 0
              /\ lsn < MaxLsn
              /\ lsn' = lsn + 1
              /\ waiting' = [waiting EXCEPT ![t] = lsn + 1]
              /\ UNCHANGED written

Write(u) == /\ written < u
            /\ u <= lsn
            /\ written' = u
            /\ UNCHANGED <<lsn, waiting>>

Wake(t) == /\ waiting[t] # 0
           /\ written >= waiting[t]
           /\ waiting' = [waiting EXCEPT ![t] = 0]
           /\ UNCHANGED <<lsn, written>>

(* A state where nobody waits may stop: stuttering there is not a deadlock.       *)
Done == /\ \A t \in Users : waiting[t] = 0
        /\ UNCHANGED vars

Next == \/ \E t \in Users : Reserve(t)
        \/ \E u \in 0..MaxLsn : Write(u)
        \/ \E t \in Users : Wake(t)
        \/ Done

Spec == Init /\ [][Next]_vars

WrittenLeLsn == written <= lsn

WrittenMonotonic == [][written' >= written]_vars
=============================================================================

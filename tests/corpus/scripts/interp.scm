;; guile: a deterministic computation that prints as it goes (a hash
;; table that grows, lists sorted, bignum arithmetic), N steps from the
;; command line.
(use-modules (ice-9 format))
(define n (string->number (cadr (command-line))))
(define seen (make-hash-table 10007))
(let loop ((i 1) (h 0) (big 1) (acc '()))
  (when (<= i n)
    (let* ((h (modulo (+ (* h 1000003) (* i i)) 2305843009213693951))
           (k (modulo h 10007))
           (big (if (= 0 (modulo i 100)) (modulo (* big h) (expt 10 60)) big))
           (acc (cons (modulo h 65521) (if (> (length acc) 200) '() acc))))
      (hashv-set! seen k (+ 1 (hashv-ref seen k 0)))
      (when (= 0 (modulo i 5000))
        (format #t "~a ~a ~a ~a ~a~%" i h (hash-count (const #t) seen)
                (car (sort acc >)) (modulo big 1000000007))
        (force-output))
      (loop (+ i 1) h big acc))))
(format #t "done ~a~%" (hash-count (const #t) seen))

-- every pair visit on its day: distinct planned arrivals in its two officers' plans for that day, and how far apart they checked in
with p as (
 select a.id, a.status,
  (select count(distinct rs.planned_arrival) from route_stop rs join route_plan rp on rp.id=rs.plan_id
    where rs.appointment_id=a.id and rp.day=(a.window_start at time zone 'Europe/London')::date
      and rp.officer_id in (a.officer_id,a.second_officer_id)) times,
  (select count(*) from route_stop rs join route_plan rp on rp.id=rs.plan_id
    where rs.appointment_id=a.id and rp.day=(a.window_start at time zone 'Europe/London')::date) stops,
  (select count(distinct officer_id) from safety_session ss where ss.appointment_id=a.id) officers_came,
  (select extract(epoch from max(started_at)-min(started_at))/60 from safety_session ss where ss.appointment_id=a.id) apart_min,
  a.second_officer_id is null no_second
 from appointment a join service s on s.id=a.service_id
 where (s.two_officers or a.second_officer_id is not null) and a.status<>'cancelled')
select count(*) pairs, count(*) filter (where times>1) split_plans, count(*) filter (where stops=2) planned_both,
 count(*) filter (where officers_came=2) both_came, count(*) filter (where officers_came=1) one_came,
 max(apart_min) max_apart_min, count(*) filter (where no_second) no_second,
 count(*) filter (where status in ('completed','no_show')) done
from p;
